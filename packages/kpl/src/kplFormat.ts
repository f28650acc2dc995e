import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';

/**
 * The KPL aggregated-record format: magic bytes, a protobuf AggregatedRecord, and the MD5
 * of the protobuf bytes. The schema is AWS's own (amazon-kinesis-producer,
 * aggregation-format.md), parsed by protobufjs, with one change: the two indexes are
 * declared uint32, not uint64. Both are varints on the wire, so the bytes are the same
 * for any table under 2^32 entries, and decoding gives plain numbers instead of a Long
 * object per record (the golden vectors from AWS's own aggregator check this).
 */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
export const KPL_DIGEST_BYTES = 16;

const KPL_PROTO = `
syntax = "proto2";
message AggregatedRecord {
  repeated string partition_key_table     = 1;
  repeated string explicit_hash_key_table = 2;
  repeated Record records                 = 3;
}
message Tag {
  required string key   = 1;
  optional string value = 2;
}
message Record {
  required uint32 partition_key_index     = 1;
  optional uint32 explicit_hash_key_index = 2;
  required bytes  data                    = 3;
  repeated Tag    tags                    = 4;
}
`;

export const AggregatedRecordType = protobuf.parse(KPL_PROTO, { keepCase: true }).root.lookupType('AggregatedRecord');

export interface AggregatedRecordMessage {
  partition_key_table: string[];
  explicit_hash_key_table: string[];
  records: Array<{
    partition_key_index: number;
    explicit_hash_key_index?: number;
    data: Uint8Array;
  }>;
}

export function md5(bytes: Uint8Array): Buffer {
  return createHash('md5').update(bytes).digest();
}

/**
 * The 128-bit hash key Kinesis gives a partition key: its MD5 read as an unsigned big-endian integer.
 *
 * @example
 * const hash = partitionKeyHash('AAPL');
 * const shard = shards.find((s) => hash >= BigInt(s.HashKeyRange.StartingHashKey) && hash <= BigInt(s.HashKeyRange.EndingHashKey));
 */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${md5(Buffer.from(partitionKey, 'utf8')).toString('hex')}`);
}
