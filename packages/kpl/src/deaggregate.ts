import {
  type AggregatedRecordMessage,
  AggregatedRecordType,
  KPL_DIGEST_BYTES,
  KPL_MAGIC,
  md5,
  partitionKeyHash,
} from './kplFormat.js';

/** A shard's part of the 128-bit hash-key space, both ends inclusive, as decimal strings (as ListShards gives it). */
export interface HashKeyRange {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

/** A record as GetRecords returns it. */
export interface KinesisRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp?: Date;
}

/** What a record processor gets: a plain record, or one user record out of a KPL aggregate. */
export interface UserRecord extends KinesisRecord {
  /** The user record's index inside its aggregate; 0 for a plain record. */
  readonly subSequenceNumber: number;
  readonly explicitHashKey?: string;
  /** True when this came out of a KPL aggregate. */
  readonly aggregated: boolean;
}

/** What `deaggregate` returns. */
export interface DeaggregationResult {
  readonly records: UserRecord[];
  /** Inner records dropped because their hash key is outside the shard's range (as KCL does). */
  readonly outOfRange: number;
}

/**
 * Unpacks KPL aggregates into user records numbered by sub-sequence number. A record
 * without the magic bytes, with a wrong MD5, or whose protobuf does not decode is passed
 * on whole as a plain record, as KCL does. With `hashKeyRange`, inner records whose hash
 * key falls outside it are dropped (after a reshard, KPL aggregates can straddle shards).
 *
 * @example
 * const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
 * const { records } = deaggregate(
 *   (page.Records ?? []).map((r) => ({ sequenceNumber: r.SequenceNumber, partitionKey: r.PartitionKey, data: r.Data })),
 * );
 * for (const { sequenceNumber, subSequenceNumber, data } of records) handle(sequenceNumber, subSequenceNumber, data);
 */
export function deaggregate(records: readonly KinesisRecord[], hashKeyRange?: HashKeyRange): DeaggregationResult {
  const out: UserRecord[] = [];
  let outOfRange = 0;
  const range: readonly [bigint, bigint] | undefined = hashKeyRange
    ? [BigInt(hashKeyRange.startingHashKey), BigInt(hashKeyRange.endingHashKey)]
    : undefined;
  for (const record of records) {
    const message = decodeAggregate(record.data);
    if (!message) {
      out.push({
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        data: record.data,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp,
        subSequenceNumber: 0,
        aggregated: false,
      });
      continue;
    }
    // Whether each key of the tables falls in the shard: hashed once per aggregate, not per record.
    const inRange = (hash: bigint) => !range || (hash >= range[0] && hash <= range[1]);
    const keyInRange = range ? message.partition_key_table.map((key) => inRange(partitionKeyHash(key))) : undefined;
    const explicitInRange = range ? message.explicit_hash_key_table.map((key) => inRange(BigInt(key))) : undefined;
    const { records: inner, partition_key_table: keys, explicit_hash_key_table: explicitKeys } = message;
    const { sequenceNumber, approximateArrivalTimestamp } = record;
    for (let subSequenceNumber = 0; subSequenceNumber < inner.length; subSequenceNumber++) {
      const user = inner[subSequenceNumber] as (typeof inner)[number];
      const keyIndex = user.partition_key_index;
      const explicitIndex = Object.hasOwn(user, 'explicit_hash_key_index') ? (user.explicit_hash_key_index ?? 0) : -1;
      if (
        keyInRange &&
        explicitInRange &&
        !(explicitIndex >= 0 ? explicitInRange[explicitIndex] : keyInRange[keyIndex])
      ) {
        outOfRange++;
        continue;
      }
      out.push({
        sequenceNumber,
        partitionKey: keys[keyIndex] ?? '',
        data: user.data,
        approximateArrivalTimestamp,
        subSequenceNumber,
        explicitHashKey: explicitIndex >= 0 ? explicitKeys[explicitIndex] : undefined,
        aggregated: true,
      });
    }
  }
  return { records: out, outOfRange };
}

/** The AggregatedRecord inside `data`, or undefined when `data` is not a valid KPL aggregate. */
export function decodeAggregate(data: Uint8Array): AggregatedRecordMessage | undefined {
  if (data.byteLength < KPL_MAGIC.length + KPL_DIGEST_BYTES) return undefined;
  for (let i = 0; i < KPL_MAGIC.length; i++) if (data[i] !== KPL_MAGIC[i]) return undefined;
  const body = data.subarray(KPL_MAGIC.length, data.byteLength - KPL_DIGEST_BYTES);
  const digest = data.subarray(data.byteLength - KPL_DIGEST_BYTES);
  if (!md5(body).equals(digest)) return undefined;
  try {
    return AggregatedRecordType.decode(body) as unknown as AggregatedRecordMessage;
  } catch {
    return undefined;
  }
}
