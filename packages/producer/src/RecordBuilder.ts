import { type StockTrade, serializeTrade } from '@stock-trades/core';
import { partitionKeyHash, RecordAggregator } from '@stock-trades/kpl';
import type { KeyedTrade, PendingRecord } from '@stock-trades/writer';
import type { ShardMap } from './ShardMap.js';

/** Turns trades into Kinesis records: one each, or KPL aggregates of many. */
export interface RecordBuilder {
  /** Takes a trade; returns the records that are ready to go (possibly none yet). */
  add(trade: StockTrade, partitionKey: string): PendingRecord[];
  /** Everything held back, as records. */
  flush(): PendingRecord[];
  /** Trades held back, not yet in a record. */
  readonly held: number;
}

/** The tutorial's way: one trade, one record. */
export class PlainRecordBuilder implements RecordBuilder {
  readonly held = 0;

  add(trade: StockTrade, partitionKey: string): PendingRecord[] {
    return [{ trades: [{ trade, partitionKey }], entry: { data: serializeTrade(trade), partitionKey } }];
  }

  flush(): PendingRecord[] {
    return [];
  }
}

/**
 * The KPL's way: trades headed for the same shard are packed into one aggregate of up to
 * `maxBytes`, routed to that shard with an explicit hash key (the first trade's). A
 * consumer drops inner records outside its shard's range, so the packing must follow the
 * shard map; `shardMap` is swapped when the stream is resharded.
 */
export class AggregatingRecordBuilder implements RecordBuilder {
  private readonly perShard = new Map<string, { aggregator: RecordAggregator; trades: KeyedTrade[]; hash: bigint }>();

  constructor(
    private shardMap: ShardMap,
    private readonly maxBytes?: number,
  ) {}

  get held(): number {
    let count = 0;
    for (const open of this.perShard.values()) count += open.trades.length;
    return count;
  }

  useShardMap(shardMap: ShardMap): PendingRecord[] {
    const pending = this.flush();
    this.shardMap = shardMap;
    return pending;
  }

  add(trade: StockTrade, partitionKey: string): PendingRecord[] {
    const hash = partitionKeyHash(partitionKey);
    const shardId = this.shardMap.shardFor(hash) ?? 'unknown';
    let open = this.perShard.get(shardId);
    if (!open) {
      open = { aggregator: new RecordAggregator(this.maxBytes), trades: [], hash };
      this.perShard.set(shardId, open);
    }
    const full = open.aggregator.add(partitionKey, serializeTrade(trade));
    const ready: PendingRecord[] = [];
    if (full) {
      ready.push(this.record(shardId, full, open.trades, open.hash));
      open.trades = [];
      open.hash = hash;
    }
    open.trades.push({ trade, partitionKey });
    return ready;
  }

  flush(): PendingRecord[] {
    const ready: PendingRecord[] = [];
    for (const [shardId, open] of this.perShard) {
      const aggregate = open.aggregator.flush();
      if (aggregate) ready.push(this.record(shardId, aggregate, open.trades, open.hash));
    }
    this.perShard.clear();
    return ready;
  }

  private record(
    shardId: string,
    aggregate: { partitionKey: string; data: Uint8Array },
    trades: KeyedTrade[],
    hash: bigint,
  ): PendingRecord {
    return {
      trades,
      entry: { data: aggregate.data, partitionKey: aggregate.partitionKey, explicitHashKey: hash.toString() },
      predictedShardId: shardId,
    };
  }
}
