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
    expect(await subject.admit(sample('a'), T0, '1')).toBe(true);
    expect(subject.windowMs).toBe(W);
    expect(await subject.admit(sample('a', { windowEnd: T0 + 2 * W }), T0, '2')).toBe(false);
    expect(subject.rejected).toEqual({ window: 1 });
  });

  it('logs the first rejection of each kind with what is wrong, and counts the rest', async () => {
    const { subject, warnings } = gate(W);
    for (let n = 0; n < 5; n++) {
      await subject.admit(sample('a', { summary: { ...sample('a').summary, trades: -1 } }), T0, String(n));
    }
    await subject.admit(sample('a', { windowStart: 0, windowEnd: W }), T0, '9');
    expect(subject.rejected).toEqual({ counts: 5, 'too-old': 1 });
    expect(warnings.map((warning) => warning.fields.reason)).toEqual(['counts', 'too-old']);
    expect(warnings[0]?.message).toMatch(/trades is -1, not a count/);
  });

  it('reads the shard list again for a shard it does not know, at most every 5 s, and lets a new child in', async () => {
    const { subject, reads, setShards, advance } = gate(W);
    expect(await subject.admit(sample('a'), T0, '1')).toBe(true);
    expect(reads()).toBe(1);
    // A reshard: shard b appears; the gate's list is older than 5 s, so it reads it again.
    setShards([
      { shardId: 'a', parentShardIds: [], hashKeyRange: FULL, endingSequenceNumber: '9' },
      { shardId: 'b', parentShardIds: ['a'], hashKeyRange: FULL },
    ]);
    advance(6000);
    expect(await subject.admit(sample('b'), T0, '2')).toBe(true);
    expect(reads()).toBe(2);
    // A forged shard id, again and again: one more read within 5 s is not made.
    expect(await subject.admit(sample('zz'), T0, '3')).toBe(false);
    expect(await subject.admit(sample('zz'), T0, '4')).toBe(false);
    expect(reads()).toBe(2);
  });
});
