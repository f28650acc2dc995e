import type { TradeSummary } from '@stock-trades/core';

/** A per-shard window sample as the consumer sends it to the stats stream (see the consumer's WindowSample). */
export interface StatsSample {
  readonly shardId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly firstSequenceNumber: string | null;
  readonly lastSequenceNumber: string | null;
  readonly late: boolean;
  readonly final: boolean;
  readonly childShardIds: readonly string[];
  readonly hashKeyRange: { readonly start: bigint; readonly end: bigint } | null;
  readonly summary: TradeSummary;
}

export type ParseSampleResult = { ok: true; sample: StatsSample } | { ok: false; reason: string };

/** Reads one record of the stats stream; anything that is not a sample comes back as a reason. */
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
  const range = value.hashKeyRange as { startingHashKey?: unknown; endingHashKey?: unknown } | null;
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
  let hashKeyRange: StatsSample['hashKeyRange'] = null;
  try {
    if (range)
      hashKeyRange = { start: BigInt(String(range.startingHashKey)), end: BigInt(String(range.endingHashKey)) };
  } catch {
    return { ok: false, reason: 'bad hash key range' };
  }
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
      childShardIds: Array.isArray(value.childShardIds) ? value.childShardIds.map(String) : [],
      hashKeyRange,
      summary: {
        trades: value.trades,
        malformed: typeof value.malformed === 'number' ? value.malformed : 0,
        perTicker: value.perTicker as TradeSummary['perTicker'],
        largestSell: (value.largestSell ?? null) as TradeSummary['largestSell'],
      },
    },
  };
}
