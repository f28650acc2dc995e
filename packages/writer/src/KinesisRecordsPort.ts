import { type KinesisClient, ListShardsCommand, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, sdkErrorName, translateAwsError } from '@stock-trades/aws';
import { RetryableWriteError } from './errors.js';
import type { EntryOutcome, RecordEntry, RecordReceipt, RecordsPort, ShardRange } from './RecordsPort.js';

/** Errors a later attempt can get past: Kinesis' throttling and its transient faults. */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
]);

/** RecordsPort over the AWS SDK's Kinesis client; SDK errors are translated here. */
export class KinesisRecordsPort implements RecordsPort {
  private readonly kinesis: KinesisClient;

  constructor(private readonly clients: Pick<AwsClients, 'kinesis' | 'kinesisEndpoint' | 'target'>) {
    this.kinesis = clients.kinesis;
  }

  async putRecords(stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]> {
    try {
      const response = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: entries.map((entry) => ({
            Data: entry.data,
            PartitionKey: entry.partitionKey,
            ExplicitHashKey: entry.explicitHashKey,
          })),
        }),
      );
      const results = response.Records ?? [];
      return entries.map((_, index): EntryOutcome => {
        const result = results[index];
        if (result?.ShardId && result.SequenceNumber && !result.ErrorCode) {
          return { ok: true, shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
        }
        return {
          ok: false,
          errorCode: result?.ErrorCode ?? 'MissingResult',
          errorMessage: result?.ErrorMessage ?? 'no result for this entry',
        };
      });
    } catch (error) {
      throw this.translate(error, `put ${entries.length} records to ${stream}`);
    }
  }

  async putRecord(stream: string, entry: RecordEntry): Promise<RecordReceipt> {
    try {
      const response = await this.kinesis.send(
        new PutRecordCommand({
          StreamName: stream,
          Data: entry.data,
          PartitionKey: entry.partitionKey,
          ExplicitHashKey: entry.explicitHashKey,
        }),
      );
      return { shardId: response.ShardId ?? 'unknown', sequenceNumber: response.SequenceNumber ?? 'unknown' };
    } catch (error) {
      throw this.translate(error, `put a record to ${stream}`);
    }
  }

  async listShards(stream: string): Promise<ShardRange[]> {
    const shards: ShardRange[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.kinesis.send(
          new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }),
        );
        for (const shard of page.Shards ?? []) {
          shards.push({
            shardId: shard.ShardId ?? '',
            startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
            endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
            open: !shard.SequenceNumberRange?.EndingSequenceNumber,
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return shards;
    } catch (error) {
      throw this.translate(error, `list the shards of ${stream}`);
    }
  }

  private translate(error: unknown, action: string): Error {
    const name = sdkErrorName(error) ?? '';
    const translated = translateAwsError(error, {
      service: 'Kinesis',
      endpoint: this.clients.kinesisEndpoint,
      target: this.clients.target,
      action,
    });
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (RETRYABLE.has(name) || (status !== undefined && status >= 500) || translated.code === 'SERVICE_UNREACHABLE') {
      return new RetryableWriteError(translated.message, error);
    }
    return translated;
  }
}
