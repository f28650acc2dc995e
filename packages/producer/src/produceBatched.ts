import { partitionKeyHash } from '@stock-trades/kpl';
import {
  type BatchResult,
  BatchSender,
  MAX_BATCH_RECORDS,
  type PendingRecord,
  RecordBatcher,
  type RecordEntry,
  recordSize,
  SHARD_WRITE_LIMITS,
  ShardRateLimiter,
} from '@stock-trades/writer';
import type { ProducerOptions } from './ProducerOptions.js';
import { AggregatingRecordBuilder, PlainRecordBuilder, type RecordBuilder } from './RecordBuilder.js';
import type { ProducerDeps, RunControl } from './runProducer.js';
import { ShardMap } from './ShardMap.js';
import { type TradeLogLine, TradeStatus } from './TradeLog.js';

/** Without a rate, one loop turn makes this many trades. */
const UNPACED_CHUNK = 500;

/**
 * Batched mode: trades (or, with --aggregate, KPL aggregates packed per shard) go into
 * PutRecords batches of up to 500 records / 5 MiB, sent when full or when the oldest
 * waiting trade has lingered `lingerMs`, with up to `maxInFlight` calls under way.
 */
export async function produceBatched(options: ProducerOptions, deps: ProducerDeps, run: RunControl): Promise<void> {
  const { stats } = run;
  const shards = await deps.port.listShards(options.stream);
  // The stream's shards as last read: where the rate limiter charges records, and where aggregates are packed for.
  let shardMap = new ShardMap(shards);
  const aggregating = options.aggregate ? new AggregatingRecordBuilder(shardMap) : undefined;
  // As the KPL's per-shard RateLimit: wait for the shards' allowance instead of running into throttling. Every
  // attempt is charged, retries too: a resent entry uses the shard's allowance as much as a new one.
  const share = options.shardRateLimit ?? 1;
  const limiter =
    share === false
      ? undefined
      : new ShardRateLimiter({
          recordsPerSecond: SHARD_WRITE_LIMITS.recordsPerSecond * share,
          bytesPerSecond: SHARD_WRITE_LIMITS.bytesPerSecond * share,
        });
  const pace = async (entries: readonly RecordEntry[]) => {
    const wait = limiter?.charge(
      entries.map((entry) => ({
        shardId: shardMap.shardFor(
          entry.explicitHashKey === undefined ? partitionKeyHash(entry.partitionKey) : BigInt(entry.explicitHashKey),
        ),
        bytes: recordSize(entry),
      })),
      deps.now(),
    );
    if (wait) await deps.sleep(wait);
  };
  const sender = new BatchSender({
    write: (entries) => deps.port.putRecords(options.stream, entries),
    policy: options.retryPolicy,
    sleep: deps.sleep,
    now: deps.now,
    random: deps.random,
    pace,
  });
  const builder: RecordBuilder = aggregating ?? new PlainRecordBuilder();
  // Kept within a shard's allowance, a batch carries at most the limiter's burst (half a second: 512 KiB and 500
  // records at the full limit): a bigger one would spend the shard's reserve for early arrivals in a single call.
  const batcher = limiter
    ? new RecordBatcher({
        maxRecords: Math.max(1, Math.min(MAX_BATCH_RECORDS, Math.floor(limiter.capacity.records))),
        maxBytes: limiter.capacity.bytes,
      })
    : new RecordBatcher();
  const inFlight = new Set<Promise<void>>();
  let openedAt: number | undefined;

  /** Logs what landed where it was meant to; trades of an aggregate that a reshard misrouted go round again. */
  const settle = async (result: BatchResult) => {
    // The stream's shards as they are now, read once per result and only if something was misrouted.
    let fresh: ShardMap | undefined;
    const logLines: TradeLogLine[] = [];
    for (const { pending, shardId, sequenceNumber } of result.delivered) {
      let landed = pending.trades.map((keyed, index) => ({ ...keyed, index, inShard: true }));
      if (aggregating && pending.predictedShardId !== shardId) {
        if (!fresh) {
          const now = await deps.port.listShards(options.stream);
          fresh = new ShardMap(now);
          shardMap = fresh;
          for (const record of aggregating.useShardMap(fresh)) queue(record);
        }
        const map = fresh;
        landed = landed.map((entry) => ({
          ...entry,
          inShard: map.holds(shardId, partitionKeyHash(entry.partitionKey)),
        }));
      }
      for (const { trade, partitionKey, index, inShard } of landed) {
        if (!inShard) {
          for (const record of builder.add(trade, partitionKey)) queue(record);
          continue;
        }
        const subSequenceNumber = aggregating ? { subSequenceNumber: index } : {};
        logLines.push({ status: TradeStatus.ACKNOWLEDGED, trade, shardId, sequenceNumber, ...subSequenceNumber });
        stats.recordDelivered(shardId);
      }
    }
    deps.tradeLog?.write(logLines);
    run.noteFailures(result);
    deps.onProgress?.(stats);
  };
  const dispatch = async (batch: PendingRecord[] | undefined) => {
    if (!batch) return;
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    // The trade log is the truth about every trade sent: nothing more goes out until what it has is written.
    if (!(await run.readyToSend())) {
      stats.unsent += batch.reduce((sum, record) => sum + record.trades.length, 0);
      return;
    }
    const tracked: Promise<void> = sender
      .send(batch)
      .then(settle)
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const waiting: PendingRecord[] = [];
  const queue = (record: PendingRecord) => {
    waiting.push(record);
  };
  const pump = async () => {
    for (let record = waiting.shift(); record; record = waiting.shift()) await dispatch(batcher.add(record));
  };
  const flushAll = async () => {
    for (const record of builder.flush()) queue(record);
    await pump();
    await dispatch(batcher.drain());
    openedAt = undefined;
  };

  const startedAt = deps.now();
  while (!run.shouldStop()) {
    const elapsed = deps.now() - startedAt;
    let due =
      options.rate === undefined ? UNPACED_CHUNK : Math.floor((elapsed * options.rate) / 1000) + 1 - stats.generated;
    if (options.count !== undefined) due = Math.min(due, options.count - stats.generated);
    for (let i = 0; i < due && !run.shouldStop(); i++) {
      openedAt ??= deps.now();
      const { trade, partitionKey } = run.nextTrade();
      for (const record of builder.add(trade, partitionKey)) queue(record);
      await pump();
    }
    if (openedAt !== undefined && deps.now() - openedAt >= options.lingerMs) await flushAll();
    deps.onProgress?.(stats);
    if (options.rate !== undefined && !run.shouldStop()) {
      const nextDueAt = startedAt + (stats.generated * 1000) / options.rate;
      const lingerEndsAt = openedAt === undefined ? Number.POSITIVE_INFINITY : openedAt + options.lingerMs;
      const wait = Math.min(nextDueAt, lingerEndsAt) - deps.now();
      if (wait > 0) await deps.sleep(wait, deps.signal);
    }
  }
  // Deliver what is left, including trades a reshard sent round again.
  do {
    await flushAll();
    while (inFlight.size > 0) await Promise.race(inFlight);
  } while (builder.held > 0 || waiting.length > 0 || batcher.size > 0);
}
