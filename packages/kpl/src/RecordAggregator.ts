import { AggregatedRecordType, KPL_DIGEST_BYTES, KPL_MAGIC, md5 } from './kplFormat.js';

/** The KPL's default cap on an aggregated record. */
export const DEFAULT_AGGREGATION_MAX_BYTES = 51_200;

/** One finished aggregate: a single Kinesis record (one PutRecords entry) carrying `count` user records. */
export interface AggregatedRecord {
  /** The Kinesis record's partition key: the first user record's, as the KPL does. */
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** How many user records it carries. */
  readonly count: number;
}

/** A user record too large for an aggregate of the size asked for (`code` RECORD_TOO_LARGE). */
export class RecordTooLargeError extends Error {
  readonly code = 'RECORD_TOO_LARGE';
  constructor(message: string) {
    super(message);
    this.name = 'RecordTooLargeError';
  }
}

/**
 * Packs user records into KPL-format aggregates of at most `maxBytes` (magic + protobuf +
 * MD5). `add` hands back the finished aggregate when the next record would not fit.
 *
 * @example
 * const aggregator = new RecordAggregator();
 * const entries = [];
 * for (const trade of trades) {
 *   const full = aggregator.add(trade.ticker, Buffer.from(JSON.stringify(trade)));
 *   if (full) entries.push({ PartitionKey: full.partitionKey, Data: full.data });
 * }
 * const last = aggregator.flush();
 * if (last) entries.push({ PartitionKey: last.partitionKey, Data: last.data });
 */
export class RecordAggregator {
  private partitionKeys: string[] = [];
  private keyIndex = new Map<string, number>();
  private records: Array<{ partition_key_index: number; data: Uint8Array }> = [];
  private estimatedBytes = 0;

  constructor(private readonly maxBytes = DEFAULT_AGGREGATION_MAX_BYTES) {}

  get size(): number {
    return this.records.length;
  }

  /**
   * Adds a user record. Returns the aggregate made so far when this record would not fit in it (the record then
   * starts the next one), or undefined. Throws RecordTooLargeError for a record that fits in no aggregate.
   */
  add(partitionKey: string, data: Uint8Array): AggregatedRecord | undefined {
    const growth = this.growthFor(partitionKey, data);
    const overhead = KPL_MAGIC.length + KPL_DIGEST_BYTES;
    if (overhead + growth > this.maxBytes) {
      throw new RecordTooLargeError(
        `a user record of ${data.byteLength} bytes does not fit in a ${this.maxBytes}-byte aggregate`,
      );
    }
    let full: AggregatedRecord | undefined;
    if (this.records.length > 0 && overhead + this.estimatedBytes + growth > this.maxBytes) full = this.flush();
    let index = this.keyIndex.get(partitionKey);
    if (index === undefined) {
      index = this.partitionKeys.length;
      this.partitionKeys.push(partitionKey);
      this.keyIndex.set(partitionKey, index);
    }
    this.estimatedBytes += growth;
    this.records.push({ partition_key_index: index, data });
    return full;
  }

  /** The aggregate of what was added since the last flush, or undefined if nothing was. */
  flush(): AggregatedRecord | undefined {
    if (this.records.length === 0) return undefined;
    const body = AggregatedRecordType.encode({
      partition_key_table: this.partitionKeys,
      records: this.records,
    }).finish();
    const data = new Uint8Array(KPL_MAGIC.length + body.byteLength + KPL_DIGEST_BYTES);
    data.set(KPL_MAGIC, 0);
    data.set(body, KPL_MAGIC.length);
    data.set(md5(body), KPL_MAGIC.length + body.byteLength);
    const aggregate = { partitionKey: this.partitionKeys[0] ?? '', data, count: this.records.length };
    this.partitionKeys = [];
    this.keyIndex = new Map();
    this.records = [];
    this.estimatedBytes = 0;
    return aggregate;
  }

  /** Upper bound of the protobuf bytes one more record adds (tag + length prefixes included). */
  private growthFor(partitionKey: string, data: Uint8Array): number {
    const newKey = this.keyIndex.has(partitionKey)
      ? 0
      : 1 + varintSize(Buffer.byteLength(partitionKey)) + Buffer.byteLength(partitionKey);
    const inner = 1 + varintSize(this.partitionKeys.length + 1) + 1 + varintSize(data.byteLength) + data.byteLength;
    return newKey + 1 + varintSize(inner) + inner;
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) size++;
  return size;
}
