/** One Kinesis record to write. */
export interface RecordEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Routes the record by this 128-bit hash key (decimal) instead of the partition key's MD5. */
  readonly explicitHashKey?: string;
}

/** A shard and the hash keys it owns (decimal strings, inclusive). */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  /** False once the shard was split or merged. */
  readonly open: boolean;
}

/** Where Kinesis put a record. */
export interface RecordReceipt {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** The outcome of one entry of a PutRecords call, in the order sent. */
export type EntryOutcome = ({ ok: true } & RecordReceipt) | { ok: false; errorCode: string; errorMessage: string };

/**
 * What a writer needs from Kinesis. Implementations throw RetryableWriteError for
 * throttling and transient faults, and any other error for what retrying cannot fix.
 */
export interface RecordsPort {
  putRecords(stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]>;
  putRecord(stream: string, entry: RecordEntry): Promise<RecordReceipt>;
  /** Every shard of the stream, open and closed, with its hash-key range. */
  listShards(stream: string): Promise<ShardRange[]>;
}
