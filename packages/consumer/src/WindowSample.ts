import type { TradeSummary } from '@stock-trades/core';

/**
 * What a shard processor emits for one event-time window: a mergeable summary of the
 * shard's trades in it. Identified by (shardId, windowStart, firstSequenceNumber): a
 * replay after a crash emits the same identity again, covering at least as much.
 */
export interface WindowSample {
  readonly shardId: string;
  /** ms since the epoch; the window is [windowStart, windowEnd). */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Position of the first record in the sample ("seq" or "seq/sub"); null for an empty window. */
  readonly firstSequenceNumber: string | null;
  /** Position of the last record in the sample; null for an empty window. */
  readonly lastSequenceNumber: string | null;
  /** True for a further sample of a window that had already gone out (a late trade). */
  readonly late: boolean;
  /** The shard's last window: the shard is closed (split or merged) and continues in `childShardIds`. */
  readonly final: boolean;
  readonly childShardIds: readonly string[];
  /** The hash keys the shard owns; with every shard's, how the aggregator knows a window is complete. */
  readonly hashKeyRange: { readonly startingHashKey: string; readonly endingHashKey: string } | null;
  readonly summary: TradeSummary;
}

/** Where samples go: printed, written to a file, sent to the stats stream. */
export interface SampleSink {
  emit(samples: readonly WindowSample[]): Promise<void>;
}
