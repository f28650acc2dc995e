import type { KinesisRecord } from '@stock-trades/kpl';
import type { ShardInfo } from './Lease.js';

/** Where to start reading a shard. */
export type IteratorPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** One GetRecords answer, in the library's terms. */
export interface RecordsPage {
  readonly records: KinesisRecord[];
  /** Undefined when the shard is closed and fully read: the shard has ended. */
  readonly nextIterator: string | undefined;
  readonly millisBehindLatest: number;
  /** At the end of a closed shard, the shards that continue it. */
  readonly childShards: ShardInfo[];
}

/**
 * What the library needs of Kinesis. Implementations throw ExpiredIteratorError,
 * ThrottledError, ResourceNotFoundError or DependencyError, never SDK errors.
 */
export interface StreamPort {
  /** Every shard of the stream, open and closed, with its parents and hash-key range. */
  listShards(): Promise<ShardInfo[]>;
  /** An iterator at `position` in the shard. */
  getShardIterator(shardId: string, position: IteratorPosition): Promise<string>;
  /** Up to `limit` records from `iterator`, and the iterator after them. */
  getRecords(iterator: string, limit: number): Promise<RecordsPage>;
  /** Lets go of what the port holds open for one shard (its fan-out subscription) once its reader has stopped. */
  release?(shardId: string): void;
  /** Lets go of what the port holds open (fan-out's subscriptions) once the worker has stopped. */
  dispose?(): void;
}
