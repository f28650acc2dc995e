import { type PendingRecord, recordSize } from './PendingRecord.js';

/** PutRecords' limits: 500 records and 5 MiB (data plus partition keys) per call. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
/** A single record's limit: 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/**
 * Gathers records into PutRecords-sized batches. Pure: the caller decides when a
 * lingering batch goes out (`drain`); `add` hands back a batch the moment one is full.
 */
export class RecordBatcher {
  private items: PendingRecord[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits = { maxRecords: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES }) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds a record; returns the batch that had to go out to make room for it, if any. */
  add(item: PendingRecord): PendingRecord[] | undefined {
    const size = recordSize(item.entry);
    if (size > MAX_RECORD_BYTES) {
      throw new RangeError(`a record of ${size} bytes is over Kinesis' 1 MiB limit`);
    }
    let full: PendingRecord[] | undefined;
    if (
      this.items.length > 0 &&
      (this.items.length >= this.limits.maxRecords || this.bytes + size > this.limits.maxBytes)
    ) {
      full = this.drain();
    }
    this.items.push(item);
    this.bytes += size;
    if (!full && this.items.length >= this.limits.maxRecords) full = this.drain();
    return full;
  }

  /** Takes whatever is gathered (possibly nothing). */
  drain(): PendingRecord[] | undefined {
    if (this.items.length === 0) return undefined;
    const batch = this.items;
    this.items = [];
    this.bytes = 0;
    return batch;
  }
}
