import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  STATS_STREAM_NAME,
  STATS_TABLE_KEY,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { InfraSettings } from './settings.js';

/**
 * What holds the data: the two streams and the tables, under the names the code uses (core's
 * names.ts). Everything here is deleted with the stack (`pnpm infra:destroy`): a tutorial's
 * trades are not worth a bill after the class.
 */
export class DataStack extends Stack {
  readonly trades: Stream;
  readonly stats: Stream;
  readonly statsTable: Table;
  /** The consumers' and the aggregator's lease tables, made here with the KCL's schema (the code makes them if missing). */
  readonly consumerLeases: Table;
  readonly aggregatorLeases: Table;
  /** The streams' customer-managed key, with `-c customerKey=true`. */
  readonly key: Key | undefined;

  constructor(scope: Construct, id: string, settings: InfraSettings, props?: StackProps) {
    super(scope, id, props);
    this.key = settings.customerKey
      ? new Key(this, 'StreamsKey', {
          description: 'stock-trades: encrypts StockTradeStream and StockTradeStatsStream',
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.DESTROY,
        })
      : undefined;
    // AWS's own key (aws/kinesis) by default: encrypted at rest at no charge for the key.
    const encryption = this.key
      ? { encryption: StreamEncryption.KMS, encryptionKey: this.key }
      : { encryption: StreamEncryption.MANAGED };
    this.trades = new Stream(this, 'Trades', {
      streamName: STREAM_NAME,
      ...(settings.shards === 'on-demand'
        ? { streamMode: StreamMode.ON_DEMAND }
        : { streamMode: StreamMode.PROVISIONED, shardCount: settings.shards }),
      retentionPeriod: Duration.hours(settings.retentionHours),
      ...encryption,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stats = new Stream(this, 'Stats', {
      streamName: STATS_STREAM_NAME,
      streamMode: StreamMode.PROVISIONED,
      // One shard: the aggregator reads every sample in order, and a sample a second per shard is far under its limits.
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      ...encryption,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const table = (construct: string, tableName: string, partitionKey: string) =>
      new Table(this, construct, {
        tableName,
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.statsTable = table('StatsTable', STATS_TABLE_NAME, STATS_TABLE_KEY);
    // The KCL's lease table: one item per shard, keyed by leaseKey (kcl's DynamoLeaseStore).
    this.consumerLeases = table('ConsumerLeases', CONSUMER_APPLICATION, 'leaseKey');
    this.aggregatorLeases = table('AggregatorLeases', AGGREGATOR_APPLICATION, 'leaseKey');
  }
}
