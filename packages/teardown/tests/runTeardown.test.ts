import type { ProjectResource } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { type ResourceAdmin, runTeardown } from '../src/index.js';

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
