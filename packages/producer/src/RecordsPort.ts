/** One Kinesis record to write. */
export interface RecordEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** Where Kinesis put a record. */
export interface RecordReceipt {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** The outcome of one entry of a PutRecords call, in the order sent. */
export type EntryOutcome = ({ ok: true } & RecordReceipt) | { ok: false; errorCode: string; errorMessage: string };

/**
 * What the producer needs from Kinesis. Implementations throw RetryableWriteError for
 * throttling and transient faults, and any other error for what retrying cannot fix.
 */
export interface RecordsPort {
  putRecords(stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]>;
  putRecord(stream: string, entry: RecordEntry): Promise<RecordReceipt>;
}
