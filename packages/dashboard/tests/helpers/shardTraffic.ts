import type { ShardTrafficCounts, ShardTrafficReport } from '@stock-trades/core';

/** One shard's counters, as the stack's proxy reports them: zero but for what is given. */
export const trafficCounts = (overrides: Partial<ShardTrafficCounts> = {}): ShardTrafficCounts => ({
  recordsIn: 0,
  bytesIn: 0,
  recordsRefused: 0,
  reads: 0,
  readsThrottled: 0,
  ...overrides,
});

/** A report of the stack at AWS's own limits: stream → shard → counters. */
export const trafficReport = (
  streams: Record<string, Record<string, ShardTrafficCounts>>,
): ShardTrafficReport & { streams: Record<string, Record<string, ShardTrafficCounts>> } => ({
  shardLimits: true,
  writeRecordsPerSecond: 1000,
  writeBytesPerSecond: 1024 * 1024,
  streams,
});
