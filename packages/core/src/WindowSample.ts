import type { TradeSummary } from './TradeSummary.js';

/**
 * What a shard processor emits for one event-time window, and what the aggregator merges:
 * a mergeable summary of the shard's trades in it. Identified by (shardId, windowStart,
 * firstSequenceNumber): a replay after a crash emits the same identity again, covering at
 * least as much.
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
  /**
   * The shard's first window, and it was read from its start: it had no record before this
   * window, so it reports every earlier window as empty. Set only on a shard the stream was
   * created with (a child starts where its parents ended).
   */
  readonly first?: boolean;
  readonly childShardIds: readonly string[];
  /** The hash keys the shard owns; with every shard's, how the aggregator knows a window is complete. */
  readonly hashKeyRange: { readonly startingHashKey: string; readonly endingHashKey: string } | null;
  readonly summary: TradeSummary;
}

/** A sample as one JSON object: the line the consumer's `--out` writes and the record sent to the stats stream. */
export function sampleToJson(sample: WindowSample): object {
  return {
    v: 1,
    shardId: sample.shardId,
    windowStart: new Date(sample.windowStart).toISOString(),
    windowEnd: new Date(sample.windowEnd).toISOString(),
    firstSequenceNumber: sample.firstSequenceNumber,
    lastSequenceNumber: sample.lastSequenceNumber,
    late: sample.late,
    final: sample.final,
    ...(sample.first ? { first: true } : {}),
    childShardIds: sample.childShardIds,
    hashKeyRange: sample.hashKeyRange,
    trades: sample.summary.trades,
    malformed: sample.summary.malformed,
    outOfRange: sample.summary.outOfRange,
    duplicates: sample.summary.duplicates,
    largestSell: sample.summary.largestSell,
    perTicker: sample.summary.perTicker,
  };
}

export type ParseSampleResult = { ok: true; sample: WindowSample } | { ok: false; reason: string };

const DECIMAL = /^\d{1,39}$/;

/** Reads a sample back from its JSON bytes; anything that is not one comes back with a reason. */
export function parseSample(data: Uint8Array): ParseSampleResult {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || value.v !== 1)
    return { ok: false, reason: 'not a version-1 sample' };
  const windowStart = Date.parse(String(value.windowStart));
  const windowEnd = Date.parse(String(value.windowEnd));
  if (
    typeof value.shardId !== 'string' ||
    Number.isNaN(windowStart) ||
    Number.isNaN(windowEnd) ||
    windowEnd <= windowStart
  ) {
    return { ok: false, reason: 'no shard id or window' };
  }
  if (typeof value.trades !== 'number' || typeof value.perTicker !== 'object' || value.perTicker === null) {
    return { ok: false, reason: 'no trade summary' };
  }
  const range = value.hashKeyRange as { startingHashKey?: unknown; endingHashKey?: unknown } | null | undefined;
  const starting = String(range?.startingHashKey);
  const ending = String(range?.endingHashKey);
  if (range && !(DECIMAL.test(starting) && DECIMAL.test(ending))) return { ok: false, reason: 'bad hash key range' };
  return {
    ok: true,
    sample: {
      shardId: value.shardId,
      windowStart,
      windowEnd,
      firstSequenceNumber: typeof value.firstSequenceNumber === 'string' ? value.firstSequenceNumber : null,
      lastSequenceNumber: typeof value.lastSequenceNumber === 'string' ? value.lastSequenceNumber : null,
      late: value.late === true,
      final: value.final === true,
      ...(value.first === true ? { first: true } : {}),
      childShardIds: Array.isArray(value.childShardIds) ? value.childShardIds.map(String) : [],
      hashKeyRange: range ? { startingHashKey: starting, endingHashKey: ending } : null,
      summary: {
        trades: value.trades,
        malformed: typeof value.malformed === 'number' ? value.malformed : 0,
        outOfRange: typeof value.outOfRange === 'number' ? value.outOfRange : 0,
        duplicates: typeof value.duplicates === 'number' ? value.duplicates : 0,
        perTicker: value.perTicker as TradeSummary['perTicker'],
        largestSell: (value.largestSell ?? null) as TradeSummary['largestSell'],
      },
    },
  };
}

/**
 * Orders two sample positions ("seq" or "seq/sub"; null for an empty sample, before any):
 * negative, zero or positive as `a` is before, at or after `b`.
 */
export function compareSamplePositions(a: string | null, b: string | null): number {
  const parse = (text: string | null): [bigint, number] => {
    if (text === null) return [-1n, 0];
    const [sequence = '0', sub = '0'] = text.split('/');
    return [BigInt(sequence), Number(sub)];
  };
  const [sa, ua] = parse(a);
  const [sb, ub] = parse(b);
  return sa === sb ? ua - ub : sa < sb ? -1 : 1;
}

/**
 * Of two samples with the same identity (shard, window, first record), whether `candidate`
 * covers more than `current`: a replay after a crash covers at least as much; a final
 * sample supersedes an equal one that is not.
 */
export function reachesFurther(candidate: WindowSample, current: WindowSample): boolean {
  const order = compareSamplePositions(candidate.lastSequenceNumber, current.lastSequenceNumber);
  return order > 0 || (order === 0 && candidate.final && !current.final);
}
