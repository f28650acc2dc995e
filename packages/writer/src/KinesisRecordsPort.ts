import { type KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, classifyAwsError, ErrorClass, listShards, translateAwsError } from '@stock-trades/aws';
import { RetryableWriteError } from './errors.js';
import type { EntryOutcome, RecordEntry, RecordReceipt, RecordsPort, ShardRange } from './RecordsPort.js';

/**
 * RecordsPort over the AWS SDK's Kinesis client; SDK errors are translated here. Writes go
 * through the client without the SDK's retries: the BatchSender's policy is the only one.
 */
export class KinesisRecordsPort implements RecordsPort {
  private readonly kinesis: KinesisClient;
  private readonly writes: KinesisClient;

  constructor(
    private readonly clients: Pick<AwsClients, 'kinesis' | 'kinesisSingleAttempt' | 'kinesisEndpoint' | 'target'>,
  ) {
    this.kinesis = clients.kinesis;
    this.writes = clients.kinesisSingleAttempt;
  }

  async putRecords(stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]> {
    try {
      const response = await this.writes.send(
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
      const response = await this.writes.send(
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

  /** Every shard, open and closed, with its hash-key range. */
  async listShards(stream: string): Promise<ShardRange[]> {
    try {
      const shards = await listShards(this.kinesis, stream);
      return shards.map((shard) => ({
        shardId: shard.ShardId ?? '',
        startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
        endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
        open: shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
      }));
    } catch (error) {
      throw this.translate(error, `list the shards of ${stream}`);
    }
  }

  private translate(error: unknown, action: string): Error {
    const translated = translateAwsError(error, {
      service: 'Kinesis',
      endpoint: this.clients.kinesisEndpoint,
      target: this.clients.target,
      action,
    });
    // One classification for every package: the SDK's own (throttling, transient, permanent).
    const errorClass = classifyAwsError(error);
    if (errorClass !== ErrorClass.PERMANENT || translated.code === 'SERVICE_UNREACHABLE') {
      // Throttled, or never reached: surely not stored. Anything else (a timeout, a reset, a 5xx) may have been.
      const outcomeUnknown = errorClass !== ErrorClass.THROTTLED && !neverSent(error);
      return new RetryableWriteError(translated.message, error, { outcomeUnknown });
    }
    return translated;
  }
}

/** Errors raised before a request could reach the service: no connection was made. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether the call surely never reached the service (so it stored nothing). */
function neverSent(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
    // The SDK's connection timeout: "the request socket did not establish a connection with the server within …".
    if (typeof message === 'string' && message.includes('did not establish a connection')) return true;
    current = cause;
  }
  return false;
}
