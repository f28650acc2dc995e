import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListStreamConsumersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { type AwsClients, readShardTraffic } from '@stock-trades/aws';
import { parseSample, type ShardTrafficReport, type WindowSample } from '@stock-trades/core';
import {
  type Clock,
  DynamoLeaseStore,
  ExpiredIteratorError,
  KinesisStreamPort,
  type Lease,
  ResourceNotFoundError,
  type ShardInfo,
} from '@stock-trades/kcl';
import type { ResultView, StreamConsumerView } from './types.js';

export interface ReaderSettings {
  readonly stream: string;
  readonly statsStream: string;
  readonly consumerTable: string;
  readonly aggregatorTable: string;
  readonly resultsTable: string;
  /** How far back to start reading samples from the stats stream. */
  readonly lookBackMs: number;
}

/**
 * Reads what the pipeline leaves behind, and nothing that costs the workers reads: the
 * trade stream's shard list (ListShards), the lease tables (one Scan each), the samples
 * on the single-shard stats stream (one GetRecords per call, beside the aggregator's) and
 * the aggregator's results table. Never a GetRecords on the trade stream.
 */
export class PipelineReader {
  private readonly trades: KinesisStreamPort;
  private readonly stats: KinesisStreamPort;
  private readonly consumerLeases: DynamoLeaseStore;
  private readonly aggregatorLeases: DynamoLeaseStore;
  private readonly dynamodb: DynamoDBClient;
  private readonly kinesis: KinesisClient;
  /** The embedded stack's Kinesis endpoint (undefined on AWS): where its traffic report is. */
  private readonly kinesisEndpoint: string | undefined;
  /** Open shards of the stats stream at the last read of its samples. */
  statsOpenShards = 0;
  /** Per stats-stream shard: where reading goes on. */
  private readonly iterators = new Map<string, { iterator: string | undefined; last: string | undefined }>();

  constructor(
    clients: AwsClients,
    private readonly settings: ReaderSettings,
    private readonly clock: Pick<Clock, 'wallNow'> = { wallNow: Date.now },
  ) {
    this.trades = new KinesisStreamPort({ streamName: settings.stream, kinesisClient: clients.kinesis });
    this.stats = new KinesisStreamPort({ streamName: settings.statsStream, kinesisClient: clients.kinesis });
    this.consumerLeases = new DynamoLeaseStore({ tableName: settings.consumerTable, dynamodbClient: clients.dynamodb });
    this.aggregatorLeases = new DynamoLeaseStore({
      tableName: settings.aggregatorTable,
      dynamodbClient: clients.dynamodb,
    });
    this.dynamodb = clients.dynamodb;
    this.kinesis = clients.kinesis;
    this.kinesisEndpoint = clients.target === 'local' ? clients.kinesisEndpoint : undefined;
  }

  shards(): Promise<ShardInfo[]> {
    return this.trades.listShards();
  }

  consumerLeaseTable(): Promise<Lease[]> {
    return orNothing(this.consumerLeases.listLeases(), []);
  }

  aggregatorLeaseTable(): Promise<Lease[]> {
    return orNothing(this.aggregatorLeases.listLeases(), []);
  }

  /** The samples that reached the stats stream since the last call (one GetRecords per shard). */
  async samples(): Promise<WindowSample[]> {
    const samples: WindowSample[] = [];
    const shards: ShardInfo[] = await orNothing(this.stats.listShards(), []);
    this.statsOpenShards = shards.filter((shard) => shard.endingSequenceNumber === undefined).length;
    for (const shard of shards) {
      let reading = this.iterators.get(shard.shardId);
      if (!reading) {
        const from = new Date(this.clock.wallNow() - this.settings.lookBackMs);
        reading = {
          iterator: await this.stats.getShardIterator(shard.shardId, { type: 'AT_TIMESTAMP', timestamp: from }),
          last: undefined,
        };
        this.iterators.set(shard.shardId, reading);
      }
      if (reading.iterator === undefined) continue;
      try {
        const page = await this.stats.getRecords(reading.iterator, 1000);
        reading.iterator = page.nextIterator;
        for (const record of page.records) {
          reading.last = record.sequenceNumber;
          const parsed = parseSample(record.data);
          if (parsed.ok) samples.push(parsed.sample);
        }
      } catch (error) {
        if (!(error instanceof ExpiredIteratorError)) throw error;
        reading.iterator = await this.stats.getShardIterator(
          shard.shardId,
          reading.last ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: reading.last } : { type: 'LATEST' },
        );
      }
    }
    return samples;
  }

  /**
   * The embedded stack's per-shard traffic, from its Kinesis proxy; undefined on AWS, or
   * when the endpoint is not our stack (a bare emulator has no such address).
   */
  async shardTraffic(): Promise<ShardTrafficReport | undefined> {
    return this.kinesisEndpoint === undefined ? undefined : readShardTraffic(this.kinesisEndpoint);
  }

  /** The trade stream's registered consumers (enhanced fan-out), as ListStreamConsumers lists them; none without the stream. */
  async streamConsumers(): Promise<StreamConsumerView[]> {
    try {
      const summary = await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.settings.stream }));
      const streamArn = summary.StreamDescriptionSummary?.StreamARN;
      const consumers: StreamConsumerView[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.kinesis.send(
          new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: nextToken }),
        );
        for (const consumer of page.Consumers ?? []) {
          consumers.push({
            name: consumer.ConsumerName ?? '',
            status: consumer.ConsumerStatus ?? 'UNKNOWN',
            createdAt: consumer.ConsumerCreationTimestamp?.toISOString() ?? null,
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return consumers.sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return [];
      throw error;
    }
  }

  /** The aggregator's results (`pnpm aggregator --table`), or none when it does not write them. */
  async results(): Promise<ResultView[]> {
    const results: ResultView[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.dynamodb.send(
          new ScanCommand({ TableName: this.settings.resultsTable, ExclusiveStartKey: startKey }),
        );
        for (const item of page.Items ?? []) {
          const text = item.result?.S;
          if (text) results.push(JSON.parse(text) as ResultView);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
      throw error;
    }
    return results;
  }
}

/** A table or stream that does not exist (yet) reads as empty. */
async function orNothing<T>(read: Promise<T>, nothing: T): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return nothing;
    throw error;
  }
}
