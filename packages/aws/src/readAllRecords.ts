import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { KinesisStreamPort } from '@stock-trades/kcl';
import type { AwsClients } from './createClients.js';
import { translateAwsError } from './translateAwsError.js';

export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/**
 * Every record now in every shard of a stream, read from TRIM_HORIZON to the tip with
 * GetRecords. For checks and demos on small streams, not for consuming.
 */
export async function readAllRecords(clients: AwsClients, stream: string): Promise<StoredRecord[]> {
  const context = { service: 'Kinesis', endpoint: clients.kinesisEndpoint, target: clients.target } as const;
  try {
    // Every page of the shard list, through kcl's pager.
    const shards = await new KinesisStreamPort(clients.kinesis, stream).listShards();
    const records: StoredRecord[] = [];
    for (const { shardId } of shards) {
      let { ShardIterator: iterator } = await clients.kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator) {
        const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of page.Records ?? []) {
          records.push({
            shardId,
            sequenceNumber: record.SequenceNumber ?? '',
            partitionKey: record.PartitionKey ?? '',
            data: record.Data ?? new Uint8Array(),
          });
        }
        // At the tip: an empty page that is not behind, or a closed shard's end.
        if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return records;
  } catch (error) {
    // A kcl error (from the shard list) carries the SDK's as its cause.
    const cause = error instanceof Error && error.cause ? error.cause : error;
    throw translateAwsError(cause, { ...context, action: `read stream ${stream}` });
  }
}
