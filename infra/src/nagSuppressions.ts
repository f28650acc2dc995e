import { AGGREGATOR_APPLICATION, CONSUMER_APPLICATION, STATS_STREAM_NAME, STREAM_NAME } from '@stock-trades/core';
import { Validations } from 'aws-cdk-lib';
import type { DataStack } from './DataStack.js';
import type { WorkersStack } from './WorkersStack.js';

/**
 * cdk-nag's AWS Solutions findings that were reviewed and are accepted, each with why, on the
 * construct it concerns (never a whole stack): anything else fails `pnpm infra:synth`.
 */
export function suppressReviewedFindings(data: DataStack, workers: WorkersStack): void {
  const acknowledge = (construct: Parameters<typeof Validations.of>[0], id: string, reason: string) =>
    Validations.of(construct).acknowledge({ id, reason });
  if (data.key) {
    for (const stream of [data.trades, data.stats]) {
      acknowledge(
        stream,
        'AwsSolutions-KDS3',
        'A customer-managed key only when asked for (-c customerKey=true, for a compliance rule); docs/aws.md gives its cost.',
      );
    }
  }
  for (const service of [workers.consumerService, workers.aggregatorService]) {
    const definition = service.taskDefinition;
    acknowledge(
      definition,
      'AwsSolutions-ECS2',
      'The one environment variable is AWS_REGION, the region the SDK calls: nothing secret to keep in a secret store.',
    );
    if (definition.executionRole) {
      acknowledge(
        definition.executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken, which ECS needs to pull the image, is granted by IAM on * only (CDK adds it).',
      );
    }
  }
  const producer = workers.producerTask;
  acknowledge(producer, 'AwsSolutions-ECS2', 'The one environment variable is AWS_REGION: nothing secret.');
  if (producer.executionRole) {
    acknowledge(
      producer.executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken, to pull the image, is granted by IAM on * only.',
    );
  }
  for (const [role, stream, application] of [
    [workers.roles.consumer, STREAM_NAME, CONSUMER_APPLICATION],
    [workers.roles.aggregator, STATS_STREAM_NAME, AGGREGATOR_APPLICATION],
  ] as const) {
    // cdk-nag names the finding by the resource as the template writes it.
    const arn = `arn:<AWS::Partition>:kinesis:<AWS::Region>:<AWS::AccountId>:stream/${stream}/consumer/${application}:*`;
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${arn}]`,
      "SubscribeToShard and DescribeStreamConsumer on the application's own stream consumer, whose ARN ends with the time it was registered (stream/<name>/consumer/<application>:<timestamp>): unknown until the worker registers it.",
    );
  }
  acknowledge(
    workers.managedPolicies.dashboard,
    'AwsSolutions-IAM5[Resource::*]',
    'cloudwatch:GetMetricData has no resource type: IAM grants it on * only.',
  );
}
