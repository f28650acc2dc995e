import type { WindowSample } from '@stock-trades/core';
import type { ShardInfo } from '@stock-trades/kcl';
import { describe, expect, it } from 'vitest';
import { SampleGate } from '../src/SampleGate.js';

const W = 10_000;
const T0 = Date.UTC(2026, 11, 4, 10);
const FULL = { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) };

const sample = (shardId: string, overrides: Partial<WindowSample> = {}): WindowSample => ({
  shardId,
  windowStart: T0,
  windowEnd: T0 + W,
  firstSequenceNumber: null,
  lastSequenceNumber: null,
  late: false,
  final: false,
  childShardIds: [],
  hashKeyRange: FULL,
  summary: { trades: 0, malformed: 0, outOfRange: 0, duplicates: 0, perTicker: {}, largestSell: null },
  ...overrides,
});

function gate(windowMs?: number) {
  let shards: ShardInfo[] = [{ shardId: 'a', parentShardIds: [], hashKeyRange: FULL }];
  let reads = 0;
  let now = 0;
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const log = {
    debug() {},
    info() {},
    warn: (fields: object, message: string) =>
      void warnings.push({ fields: fields as Record<string, unknown>, message }),
    error() {},
  };
  const subject = new SampleGate(
    { windowMs, retentionMs: 86_400_000 },
    {
      listShards: async () => {
        reads++;
        return shards;
      },
      log,
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    },
  );
  return {
    subject,
    warnings,
    reads: () => reads,
    setShards: (next: ShardInfo[]) => {
      shards = next;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('SampleGate', () => {
  it('learns the window length from the first sample it lets through, then holds others to it', async () => {
    const { subject } = gate();
    expect(await subject.admit(sample('a'), T0, '1', 0)).toBe(true);
    expect(subject.windowMs).toBe(W);
    expect(await subject.admit(sample('a', { windowEnd: T0 + 2 * W }), T0, '2', 0)).toBe(false);
    expect(subject.rejected).toEqual({ window: 1 });
  });

  it('logs the first rejection of each kind with what is wrong, and counts the rest', async () => {
    const { subject, warnings } = gate(W);
    for (let n = 0; n < 5; n++) {
      await subject.admit(sample('a', { summary: { ...sample('a').summary, trades: -1 } }), T0, String(n), 0);
    }
    await subject.admit(sample('a', { windowStart: 0, windowEnd: W }), T0, '9', 0);
    expect(subject.rejected).toEqual({ counts: 5, 'too-old': 1 });
    expect(warnings.map((warning) => warning.fields.reason)).toEqual(['counts', 'too-old']);
    expect(warnings[0]?.message).toMatch(/trades is -1, not a count/);
  });

  it('reads the shard list again when it was read before a sample it rejects for its shard, at most once a second', async () => {
    const { subject, reads, setShards, advance } = gate(W);
    expect(await subject.admit(sample('a'), T0, '1', 0)).toBe(true);
    expect(reads()).toBe(1);
    // A reshard: a ends, b appears. a's final sample and b's first arrive 3 s later: the list predates them.
    setShards([
      { shardId: 'a', parentShardIds: [], hashKeyRange: FULL, endingSequenceNumber: '9' },
      { shardId: 'b', parentShardIds: ['a'], hashKeyRange: FULL },
    ]);
    advance(3000);
    expect(await subject.admit(sample('a', { final: true }), T0, '2', 3000)).toBe(true);
    expect(await subject.admit(sample('b'), T0, '3', 3000)).toBe(true);
    expect(reads()).toBe(2);
    // A forged shard id that arrived well before the last read: rejected without another read.
    expect(await subject.admit(sample('zz'), T0, '4', 1000)).toBe(false);
    expect(reads()).toBe(2);
    // One that arrived after it: the list is read once more (the gate waits out the second), then it is rejected.
    expect(await subject.admit(sample('zz'), T0, '5', 3500)).toBe(false);
    expect(reads()).toBe(3);
    expect(subject.rejected).toEqual({ shard: 2 });
  });
});
