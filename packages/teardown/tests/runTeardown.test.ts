import type { ProjectResource } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { costLines, type ResourceAdmin, runTeardown } from '../src/index.js';

/** An in-memory account holding some streams and tables, recording every delete. */
function account(existing: string[]) {
  const present = new Set(existing);
  const deletes: string[] = [];
  const admin: ResourceAdmin = {
    describe: async (name) => (present.has(name) ? { status: 'ACTIVE' } : undefined),
    delete: async (name) => {
      deletes.push(name);
      return present.delete(name);
    },
    waitUntilGone: async () => {},
  };
  return { present, deletes, admins: { stream: admin, table: admin } };
}

const resources: ProjectResource[] = [
  { kind: 'stream', name: 'StockTradeStream', createdBy: 'pnpm create-stream' },
  { kind: 'table', name: 'StockTradesProcessor', createdBy: 'pnpm consumer' },
  { kind: 'table', name: 'StockTradeStats', createdBy: 'pnpm create-stream' },
];

describe('runTeardown', () => {
  it('deletes what is on the list and exists, and touches nothing else', async () => {
    const { present, deletes, admins } = account(['StockTradeStream', 'StockTradesProcessor', 'SomeoneElsesTable']);
    const lines: string[] = [];

    const result = await runTeardown(resources, { admins, confirm: async () => true, say: (line) => lines.push(line) });

    expect(deletes.sort()).toEqual(['StockTradeStream', 'StockTradesProcessor']);
    expect([...present]).toEqual(['SomeoneElsesTable']);
    expect(result.deleted.map((resource) => resource.name).sort()).toEqual([
      'StockTradeStream',
      'StockTradesProcessor',
    ]);
    expect(result.alreadyGone.map((resource) => resource.name)).toEqual(['StockTradeStats']);
    expect(lines).toContain('  table StockTradeStats: already gone');
    expect(lines.at(-1)).toBe('Done: 2 deleted, 1 already gone.');
  });

  it('deletes an exercise’s table where it exists, and says nothing of it where it does not', async () => {
    const withAudit: ProjectResource[] = [
      ...resources,
      { kind: 'table', name: 'StockTradesAudit', createdBy: 'exercise 10', optional: true },
    ];
    const absent = account(['StockTradeStream']);
    const quiet: string[] = [];
    const none = await runTeardown(withAudit, {
      admins: absent.admins,
      confirm: async () => true,
      say: (line) => quiet.push(line),
    });
    expect(none.alreadyGone.map((resource) => resource.name)).toEqual(['StockTradesProcessor', 'StockTradeStats']);
    expect(quiet.join('\n')).not.toContain('StockTradesAudit');

    const present = account(['StockTradeStream', 'StockTradesAudit']);
    const lines: string[] = [];
    await runTeardown(withAudit, {
      admins: present.admins,
      confirm: async () => true,
      say: (line) => lines.push(line),
    });
    expect(present.deletes.sort()).toEqual(['StockTradeStream', 'StockTradesAudit']);
    expect(lines).toContain('  table StockTradesAudit (created by exercise 10)');
  });

  it('lists what it will delete before asking, and deletes nothing on no', async () => {
    const { deletes, admins } = account(['StockTradeStream']);
    const lines: string[] = [];
    let askedAfter: string[] = [];

    const result = await runTeardown(resources, {
      admins,
      confirm: async () => {
        askedAfter = [...lines];
        return false;
      },
      say: (line) => lines.push(line),
    });

    expect(askedAfter).toContain('  stream StockTradeStream (created by pnpm create-stream)');
    expect(result.declined).toBe(true);
    expect(deletes).toEqual([]);
  });

  it('asks nothing when everything is already gone', async () => {
    const { admins } = account([]);
    const result = await runTeardown(resources, {
      admins,
      confirm: async () => {
        throw new Error('must not ask');
      },
      say: () => {},
    });
    expect(result.alreadyGone).toHaveLength(3);
  });
});

describe('the cost estimate teardown prints', () => {
  const NOW = Date.UTC(2026, 11, 4, 12);
  const HOUR = 3_600_000;

  it('prices the streams’ open shards since they were created and the PUT payload units, before asking', async () => {
    const lines: string[] = [];
    const stream = (shards: number, hours: number) => ({
      status: 'ACTIVE',
      capacity: 'PROVISIONED',
      openShardCount: shards,
      createdAt: new Date(NOW - hours * HOUR),
    });
    const admin: ResourceAdmin = {
      describe: async (name) =>
        name === 'StockTradeStream' ? stream(4, 2) : name === 'Stats' ? stream(1, 2) : undefined,
      delete: async () => true,
      waitUntilGone: async () => {},
    };
    let asked: string[] = [];
    await runTeardown(
      [
        { kind: 'stream', name: 'StockTradeStream', createdBy: 'pnpm create-stream' },
        { kind: 'stream', name: 'Stats', createdBy: 'pnpm create-stream' },
      ],
      {
        admins: { stream: admin, table: admin },
        confirm: async () => {
          asked = [...lines];
          return true;
        },
        say: (line) => lines.push(line),
        putPayloadUnits: async () => 1_440_000,
        now: () => NOW,
      },
    );
    // 5 shards for 2 hours: 10 shard-hours, $0.15; 1.44 million units: $0.02016.
    expect(asked).toEqual(
      expect.arrayContaining([
        'If this ran on AWS (us-east-1 list prices of 2026-12-04; DynamoDB and CloudWatch not included):',
        '  10.00 shard-hours (5 open shards since created) × $0.015 = $0.1500',
        '  1,440,000 PUT payload units × $0.014 per million = $0.0202',
        '  ≈ $0.1702 so far, and $0.0750 for each hour the streams stay. Deleting them stops it.',
      ]),
    );
  });

  it('says where the PUT payload units are when it cannot count them, and prices no on-demand stream', () => {
    const created = new Date(NOW - HOUR);
    expect(costLines([{ status: 'ACTIVE', openShardCount: 2, createdAt: created }], undefined, NOW)).toContain(
      '  PUT payload units: not counted here (on AWS, see the bill or CloudWatch IncomingRecords)',
    );
    expect(
      costLines([{ status: 'ACTIVE', capacity: 'ON_DEMAND', openShardCount: 4, createdAt: created }], 10, NOW),
    ).toEqual([]);
  });
});
