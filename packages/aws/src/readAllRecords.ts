import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { AwsClients } from './createClients.js';
import { listShards } from './listShards.js';
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
    const records: StoredRecord[] = [];
    for (const { ShardId: shardId = '' } of await listShards(clients.kinesis, stream)) {
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
    throw translateAwsError(error, { ...context, action: `read stream ${stream}` });
  }
}
