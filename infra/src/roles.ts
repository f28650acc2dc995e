import {
  AGGREGATOR_APPLICATION,
  AUDIT_APPLICATION,
  CONSUMER_APPLICATION,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import type { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { DataStack } from './DataStack.js';

/** The commands that run with a role of their own, named as their packages are. */
export type Stage = 'producer' | 'consumer' | 'aggregator' | 'dashboard' | 'admin';

/**
 * Each stage's statements: exactly the actions its code sends (infra/tests checks them against
 * sdkCallsFrom, both ways), each on the resources it sends them to. No `*` action, and `*`
 * resource only for cloudwatch:GetMetricData, which IAM grants on nothing else.
 */
export function stageStatements(stage: Stage, scope: Stack): PolicyStatement[] {
  const { trades, stats, consumerLeases, aggregatorLeases, statsTable, auditLeases } = resourceArns(scope);
  const allow = (sid: string, actions: string[], resources: string[]) =>
    new PolicyStatement({ sid, actions: [...actions].sort(), resources });
  // Enhanced fan-out (`--retrieval fan-out`): the stream consumer, named after the application, is registered on the
  // stream and subscribed to by its ARN, which ends with the time it was registered (hence the one wildcard).
  const fanOut = (stream: string, application: string) => [
    allow('RegisterConsumer', ['kinesis:DescribeStreamConsumer', 'kinesis:RegisterStreamConsumer'], [stream]),
    allow(
      'Subscribe',
      ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
      [`${stream}/consumer/${application}:*`],
    ),
  ];
  const leaseActions = [
    'dynamodb:CreateTable',
    'dynamodb:DeleteItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ];
  const read = [
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
  ];
  switch (stage) {
    case 'producer':
      return [
        allow(
          'WriteTrades',
          ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
          [trades],
        ),
      ];
    case 'consumer':
      return [
        allow('ReadTrades', read, [trades]),
        ...fanOut(trades, CONSUMER_APPLICATION),
        allow('SendSamples', ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecords'], [stats]),
        allow('Leases', leaseActions, [consumerLeases]),
      ];
    case 'aggregator':
      return [
        allow('ReadSamples', read, [stats]),
        ...fanOut(stats, AGGREGATOR_APPLICATION),
        // The trade stream's shard list: a sample naming a shard the stream never had is rejected.
        allow('TradeShards', ['kinesis:DescribeStreamSummary', 'kinesis:ListShards'], [trades]),
        allow('Leases', leaseActions, [aggregatorLeases]),
        allow('WriteResults', ['dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:PutItem'], [statsTable]),
      ];
    case 'dashboard':
      return [
        allow(
          'Shards',
          ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:ListStreamConsumers'],
          [trades],
        ),
        allow('ReadSamples', ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'], [stats]),
        allow('ReadTables', ['dynamodb:Scan'], [consumerLeases, aggregatorLeases, statsTable]),
        allow('Metrics', ['cloudwatch:GetMetricData'], ['*']),
      ];
    case 'admin':
      return [
        allow(
          'Streams',
          ['kinesis:CreateStream', 'kinesis:DeleteStream', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary'],
          [trades, stats],
        ),
        allow(
          'Tables',
          ['dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:DescribeTable'],
          [
            consumerLeases,
            aggregatorLeases,
            statsTable,
            // The two-applications exercise's lease table, which teardown deletes where it exists.
            auditLeases,
          ],
        ),
      ];
  }
}

/**
 * The project's streams and tables by their names (core's names.ts), in the stack's account and
 * region: the roles need no reference to the data stack's constructs, so no CloudFormation
 * export ties the two stacks together.
 */
export function resourceArns(scope: Stack) {
  const stream = (name: string) => scope.formatArn({ service: 'kinesis', resource: 'stream', resourceName: name });
  const table = (name: string) => scope.formatArn({ service: 'dynamodb', resource: 'table', resourceName: name });
  return {
    trades: stream(STREAM_NAME),
    stats: stream(STATS_STREAM_NAME),
    consumerLeases: table(CONSUMER_APPLICATION),
    aggregatorLeases: table(AGGREGATOR_APPLICATION),
    statsTable: table(STATS_TABLE_NAME),
    auditLeases: table(AUDIT_APPLICATION),
  };
}

/** With a customer-managed key: writers may make data keys with it, readers decrypt with it. */
export function grantStreamKey(stage: Stage, data: DataStack, grantee: IGrantable): void {
  if (!data.key) return;
  if (stage === 'producer' || stage === 'consumer') data.key.grant(grantee, 'kms:GenerateDataKey');
  if (stage === 'consumer' || stage === 'aggregator' || stage === 'dashboard') data.key.grantDecrypt(grantee);
}
