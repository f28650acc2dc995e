import type { StreamDescription, StreamSpec } from '@stock-trades/aws';
import { describe, expect, it } from 'vitest';
import { runCreateStream } from '../src/index.js';

/** An in-memory stream registry with the StreamAdmin calls runCreateStream makes. */
function fakeStreams(initial?: StreamDescription) {
  let stream = initial;
  const created: StreamSpec[] = [];
  return {
    created,
    admin: {
      describe: async () => stream,
      create: async (name: string, spec: StreamSpec) => {
        created.push(spec);
        if (stream) return false;
        stream = {
          name,
          status: 'CREATING',
          capacity: spec.capacity,
          openShardCount: spec.capacity === 'PROVISIONED' ? spec.shards : 4,
          retentionHours: 24,
        };
        return true;
      },
      waitUntilActive: async () => {
        if (!stream) throw new Error('no stream');
        stream = { ...stream, status: 'ACTIVE' };
        return stream;
      },
      waitUntilGone: async () => {
        stream = undefined;
      },
    },
  };
}

const four: StreamSpec = { capacity: 'PROVISIONED', shards: 4 };

describe('runCreateStream', () => {
  it('creates the stream and waits until it is ACTIVE', async () => {
    const { admin, created } = fakeStreams();
    const lines: string[] = [];
    const outcome = await runCreateStream({ stream: 'S', spec: four }, admin, (line) => lines.push(line));
    expect(outcome).toBe('created');
    expect(created).toEqual([four]);
    expect(lines.at(-1)).toMatch(/^S is ACTIVE with 4 open shards \(took \d+\.\d s\)\.$/);
  });

  it('reports a matching stream instead of failing, and creates nothing', async () => {
    const { admin, created } = fakeStreams({
      name: 'S',
      status: 'ACTIVE',
      capacity: 'PROVISIONED',
      openShardCount: 4,
      retentionHours: 24,
    });
    const lines: string[] = [];
    expect(await runCreateStream({ stream: 'S', spec: four }, admin, (line) => lines.push(line))).toBe('existed');
    expect(created).toEqual([]);
    expect(lines).toEqual(['S already exists (ACTIVE, 4 open shards): nothing to do.']);
  });

  it('explains a stream that exists with another shard count or capacity', async () => {
    const two = fakeStreams({
      name: 'S',
      status: 'ACTIVE',
      capacity: 'PROVISIONED',
      openShardCount: 2,
      retentionHours: 24,
    });
    await expect(runCreateStream({ stream: 'S', spec: four }, two.admin, () => {})).rejects.toThrow(
      'S already exists with 2 open shards, not 4: run `pnpm teardown` first to start over, or keep it as it is by running with --shards 2',
    );
    const onDemand = fakeStreams({
      name: 'S',
      status: 'ACTIVE',
      capacity: 'ON_DEMAND',
      openShardCount: 4,
      retentionHours: 24,
    });
    await expect(runCreateStream({ stream: 'S', spec: four }, onDemand.admin, () => {})).rejects.toThrow(
      /already exists as on-demand, not 4 shards, provisioned/,
    );
  });

  it('waits out a deletion in progress, then creates', async () => {
    const { admin, created } = fakeStreams({
      name: 'S',
      status: 'DELETING',
      capacity: 'PROVISIONED',
      openShardCount: 1,
      retentionHours: 24,
    });
    expect(await runCreateStream({ stream: 'S', spec: four }, admin, () => {})).toBe('created');
    expect(created).toEqual([four]);
  });
});
