import {
  type ChildShard,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { type KinesisClientOptions, kinesisClientFrom } from './clientOptions.js';
import type { ShardInfo } from './Lease.js';
import type { IteratorPosition, RecordsPage, StreamPort } from './StreamPort.js';
import { translateSdkError } from './translateSdkError.js';

export interface KinesisStreamPortOptions extends KinesisClientOptions {
  readonly streamName: string;
}

/**
 * The stream a worker reads, over the AWS SDK's Kinesis client: ListShards (paged),
 * GetShardIterator and GetRecords, with the SDK's errors translated to this library's.
 *
 * @example
 * import { KinesisStreamPort } from '@stock-trades/kcl';
 *
 * const stream = new KinesisStreamPort({ streamName: 'clicks', kinesisConfig: { region: 'eu-west-1' } });
 * for (const shard of await stream.listShards()) console.log(shard.shardId, shard.parentShardIds);
 * // or with a client of your own: new KinesisStreamPort({ streamName: 'clicks', kinesisClient })
 */
export class KinesisStreamPort implements StreamPort {
  protected readonly kinesis: KinesisClient;
  readonly streamName: string;

  /** `protocol`: what a client made here speaks (HTTP/1.1 for polling; fan-out asks for HTTP/2). */
  constructor(options: KinesisStreamPortOptions, protocol: 'http1' | 'http2' = 'http1') {
    this.kinesis = kinesisClientFrom(options, protocol);
    this.streamName = options.streamName;
  }

  async listShards(): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.kinesis.send(
          new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }),
        );
        for (const shard of page.Shards ?? []) shards.push(toShardInfo(shard));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      throw translateSdkError(error, `list shards of ${this.streamName}`);
    }
    return shards;
  }

  async getShardIterator(shardId: string, position: IteratorPosition): Promise<string> {
    try {
      const response = await this.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: shardId,
          ShardIteratorType: position.type,
          ...(position.type === 'AT_TIMESTAMP' ? { Timestamp: position.timestamp } : {}),
          ...(position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER'
            ? { StartingSequenceNumber: position.sequenceNumber }
            : {}),
        }),
      );
      if (!response.ShardIterator) throw new Error('GetShardIterator returned no iterator');
      return response.ShardIterator;
    } catch (error) {
      throw translateSdkError(error, `get an iterator for ${shardId}`);
    }
  }

  async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    try {
      const response = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      return {
        records: (response.Records ?? []).map((record) => ({
          sequenceNumber: record.SequenceNumber ?? '',
          partitionKey: record.PartitionKey ?? '',
          data: record.Data ?? new Uint8Array(),
          approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
        })),
        nextIterator: response.NextShardIterator ?? undefined,
        millisBehindLatest: response.MillisBehindLatest ?? 0,
        childShards: (response.ChildShards ?? []).map(toChildShard),
      };
    } catch (error) {
      throw translateSdkError(error, 'get records');
    }
  }
}

/** A child shard as GetRecords and SubscribeToShard name it. */
export function toChildShard(child: ChildShard): ShardInfo {
  return {
    shardId: child.ShardId ?? '',
    parentShardIds: child.ParentShards ?? [],
    hashKeyRange: {
      startingHashKey: child.HashKeyRange?.StartingHashKey ?? '0',
      endingHashKey: child.HashKeyRange?.EndingHashKey ?? '0',
    },
  };
}

function toShardInfo(shard: Shard): ShardInfo {
  return {
    shardId: shard.ShardId ?? '',
    parentShardIds: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id)),
    hashKeyRange: {
      startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '0',
      endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '0',
    },
    ...(shard.SequenceNumberRange?.EndingSequenceNumber
      ? { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }
      : {}),
  };
}
