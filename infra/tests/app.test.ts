import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  InvalidOptionError,
  PROJECT_RESOURCES,
  STATS_STREAM_NAME,
  STATS_TABLE_KEY,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { repositoryProgram, sdkCallsFrom } from '../src/sdkCalls.js';
import { DEFAULT_SETTINGS, settingsFrom } from '../src/settings.js';
import { ITERATOR_AGE_ALARM_MS, TARGET_ITERATOR_AGE_MS } from '../src/WorkersStack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const outdirs: string[] = [];
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** The default deployment, synthesized once (cdk-nag runs on it: a finding not acknowledged throws here). */
const built = buildApp({ outdir: outdir() });
built.app.synth();
const data = Template.fromStack(built.data);
const workers = Template.fromStack(built.workers);

interface PolicyStatementJson {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

/** The statements of a role's inline policies, or of a managed policy, in the workers' template. */
function statementsOf(logicalIdPrefix: string, type: 'AWS::IAM::Policy' | 'AWS::IAM::ManagedPolicy') {
  const resources = workers.findResources(type);
  return Object.entries(resources)
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .flatMap(([, resource]) => resource.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

function actionsOf(statements: PolicyStatementJson[]): string[] {
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();
}

describe('StockTradesData', () => {
  it('makes the two streams core names, encrypted with AWS’s key, StockTradeStream with the shards asked for', () => {
    data.resourceCountIs('AWS::Kinesis::Stream', 2);
    data.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: STREAM_NAME,
      ShardCount: DEFAULT_SETTINGS.shards,
      RetentionPeriodHours: 24,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    data.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: STATS_STREAM_NAME,
      ShardCount: 1,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    const streams = Object.values(data.findResources('AWS::Kinesis::Stream')).map((stream) => stream.Properties.Name);
    const expected = PROJECT_RESOURCES.filter((resource) => resource.kind === 'stream').map(
      (resource) => resource.name,
    );
    expect(streams.sort()).toEqual(expected.sort());
  });

  it('makes the results table and both lease tables with the keys the code uses, on demand, with point-in-time recovery', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const [name, key] of [
      [STATS_TABLE_NAME, STATS_TABLE_KEY],
      [CONSUMER_APPLICATION, 'leaseKey'],
      [AGGREGATOR_APPLICATION, 'leaseKey'],
    ] as const) {
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: name,
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
    // `pnpm infra:destroy` ends the bill: nothing is retained.
    for (const resource of Object.values(data.toJSON().Resources as Record<string, { DeletionPolicy?: string }>)) {
      expect(resource.DeletionPolicy ?? 'Delete').toBe('Delete');
    }
  });

  it('with -c customerKey=true, encrypts both streams with a rotated key of its own', () => {
    const custom = buildApp({ outdir: outdir(), context: { customerKey: 'true', shards: 'on-demand' } });
    const template = Template.fromStack(custom.data);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: STREAM_NAME,
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('StreamsKey'), 'Arn'] },
      },
    });
    // The consumer may decrypt with it and write samples with it.
    const roles = Template.fromStack(custom.workers);
    const consumer = Object.entries(roles.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ConsumerRole'))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    expect(actionsOf(consumer)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']));
  });
});

describe('roles: exactly the AWS calls each stage’s code makes', () => {
  const found = new Map<string, string[]>();
  const calls = (pkg: string) => {
    const sent = found.get(pkg);
    if (!sent) throw new Error(`no calls read for ${pkg}`);
    return sent;
  };
  // The whole repository type-checked once: seconds, more on a busy machine, so in a hook of its own rather than in
  // whichever test asks first (where a loaded machine ran past the 5 s a test gets).
  beforeAll(() => {
    const program = repositoryProgram(ROOT);
    for (const pkg of ['producer', 'consumer', 'aggregator', 'dashboard', 'create-stream', 'teardown']) {
      found.set(pkg, [...sdkCallsFrom(program, join(ROOT, 'packages', pkg, 'src', 'bin.ts')).keys()]);
    }
  }, 120_000);

  it.each([
    ['producer', 'ProducerRole'],
    ['consumer', 'ConsumerRole'],
    ['aggregator', 'AggregatorRole'],
  ])('the %s’s task role grants every action its code sends, and none it does not', (pkg, role) => {
    const granted = actionsOf(statementsOf(role, 'AWS::IAM::Policy'));
    // The FireLens log router in the consumer's and aggregator's tasks writes their output with the task's role.
    const router = pkg === 'producer' ? [] : ['logs:CreateLogStream', 'logs:PutLogEvents'];
    expect(granted.filter((action) => action.startsWith('logs:'))).toEqual(router);
    expect(granted.filter((action) => !action.startsWith('logs:'))).toEqual(calls(pkg).sort());
  });

  it('the dashboard’s policy grants what it reads, and not the instructor actions, which refuse --target aws', () => {
    // Sent only by InstructorActions (reshard, malformed records), which the server refuses on AWS.
    const instructorOnly = ['kinesis:PutRecords', 'kinesis:UpdateShardCount'];
    const granted = actionsOf(statementsOf('DashboardPolicy', 'AWS::IAM::ManagedPolicy'));
    expect(granted).toEqual(calls('dashboard').filter((action) => !instructorOnly.includes(action)));
    expect(granted.filter((action) => !/:(List|Get|Scan|Describe)/.test(action))).toEqual([]);
  });

  it('the admin policy grants what create-stream and teardown send, together', () => {
    const granted = actionsOf(statementsOf('AdminPolicy', 'AWS::IAM::ManagedPolicy'));
    expect(granted).toEqual([...new Set([...calls('create-stream'), ...calls('teardown')])].sort());
  });

  it('grants no * action, and * resources only where IAM has no resource type', () => {
    const all = [
      ...statementsOf('', 'AWS::IAM::Policy').filter((statement) => !String(statement.Sid ?? '').startsWith('Ecr')),
      ...statementsOf('', 'AWS::IAM::ManagedPolicy'),
    ];
    for (const statement of all) {
      expect([statement.Action].flat().filter((action) => action.includes('*'))).toEqual([]);
      if (statement.Resource === '*') {
        // CDK's execution roles pull the image (ecr:GetAuthorizationToken); the dashboard reads metrics.
        expect([statement.Action].flat()).toEqual(
          expect.arrayContaining([expect.stringMatching(/^(ecr:GetAuthorizationToken|cloudwatch:GetMetricData)$/)]),
        );
        expect(
          [statement.Action]
            .flat()
            .filter((action) => !['ecr:GetAuthorizationToken', 'cloudwatch:GetMetricData'].includes(action)),
        ).toEqual([]);
      }
    }
  });

  it('names only the project’s streams and tables in the stages’ statements', () => {
    const ours = new Set([...PROJECT_RESOURCES.map((resource) => resource.name)]);
    for (const [prefix, type] of [
      ['ProducerRole', 'AWS::IAM::Policy'],
      ['ConsumerRole', 'AWS::IAM::Policy'],
      ['AggregatorRole', 'AWS::IAM::Policy'],
      ['DashboardPolicy', 'AWS::IAM::ManagedPolicy'],
      ['AdminPolicy', 'AWS::IAM::ManagedPolicy'],
    ] as const) {
      for (const statement of statementsOf(prefix, type)) {
        if (statement.Resource === '*') continue;
        // The FireLens router's writes go to the stack's own log group, and nowhere else.
        if ([statement.Action].flat().every((action) => action.startsWith('logs:'))) {
          expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Logs/), 'Arn'] });
          continue;
        }
        for (const resource of [statement.Resource].flat()) {
          const text = JSON.stringify(resource);
          const name = /:(?:stream|table)\/([A-Za-z0-9_.-]+)/.exec(text)?.[1];
          expect(ours, text).toContain(name);
        }
      }
    }
  });
});

describe('StockTradesWorkers', () => {
  it('runs the consumer as a Fargate service scaled on the trade stream’s iterator age, between the bounds', () => {
    workers.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: DEFAULT_SETTINGS.minWorkers,
    });
    workers.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: DEFAULT_SETTINGS.minWorkers,
      MaxCapacity: DEFAULT_SETTINGS.maxWorkers,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    workers.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: TARGET_ITERATOR_AGE_MS,
        CustomizedMetricSpecification: {
          MetricName: 'GetRecords.IteratorAgeMilliseconds',
          Namespace: 'AWS/Kinesis',
          Statistic: 'Maximum',
          Dimensions: [{ Name: 'StreamName', Value: STREAM_NAME }],
        },
      },
    });
  });

  it('runs one aggregator, never two at once, and each stage with its own role and command', () => {
    workers.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ MaximumPercent: 100, MinimumHealthyPercent: 0 }),
    });
    for (const stage of ['consumer', 'aggregator', 'producer']) {
      workers.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: Match.arrayWith([
          Match.objectLike({ Name: stage, Command: Match.arrayWith([stage, '--target', 'aws']) }),
        ]),
        TaskRoleArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp(`^${stage[0]?.toUpperCase()}${stage.slice(1)}Role`), 'Arn'],
        },
      });
    }
  });

  it('sends the workers’ kcl metrics (EMF on stdout) to CloudWatch through a FireLens router, which sets json/emf', () => {
    for (const stage of ['consumer', 'aggregator']) {
      workers.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: Match.arrayWith([
          Match.objectLike({ FirelensConfiguration: { Type: 'fluentbit' } }),
          Match.objectLike({
            Name: stage,
            Command: Match.arrayWith(['--metrics', 'emf']),
            LogConfiguration: {
              LogDriver: 'awsfirelens',
              Options: Match.objectLike({ Name: 'cloudwatch_logs', log_format: 'json/emf' }),
            },
          }),
        ]),
      });
    }
    const body = JSON.stringify(Object.values(workers.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain(`SEARCH('{${CONSUMER_APPLICATION},Operation,ShardId} MetricName=`);
    expect(body).toContain('MillisBehindLatest');
  });

  it('alarms on lag and on throttling, and charts what the pnpm dashboard shows', () => {
    workers.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Threshold: ITERATOR_AGE_ALARM_MS,
      EvaluationPeriods: 5,
    });
    for (const metric of ['WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded']) {
      workers.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, Threshold: 0 });
    }
    const body = JSON.stringify(Object.values(workers.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const metric of [
      'IncomingRecords',
      'IncomingBytes',
      'GetRecords.IteratorAgeMilliseconds',
      'WriteProvisionedThroughputExceeded',
      'ReadProvisionedThroughputExceeded',
    ]) {
      expect(body).toContain(metric);
    }
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('passes the default deployment (above), and fails one with a finding nobody reviewed', () => {
    const bad = buildApp({ outdir: outdir() });
    new Stream(bad.data, 'Unencrypted', { encryption: StreamEncryption.UNENCRYPTED });
    expect(() => bad.app.synth()).toThrow(/AwsSolutions-KDS1/);
  });
});

describe('settings', () => {
  it.each([
    [{ shards: '0' }, '-c shards must be a whole number from 1 to 500, got "0"'],
    [{ minWorkers: '3', maxWorkers: '2' }, '-c maxWorkers (2) must be at least -c minWorkers (3)'],
    [{ shards: '2', maxWorkers: '4' }, '-c maxWorkers (4) is more than the 2 shards'],
    [{ window: 'soon' }, '-c window must be a duration'],
    [{ customerKey: 'yes' }, '-c customerKey must be true or false, got "yes"'],
  ])('refuses %j with one line', (context, message) => {
    const read = (key: string) => (context as Record<string, string>)[key];
    expect(() => settingsFrom(read)).toThrow(InvalidOptionError);
    expect(() => settingsFrom(read)).toThrow(message);
  });

  it('takes the window the consumer is told, and the shard count for the stream', () => {
    const custom = buildApp({ outdir: outdir(), context: { shards: '8', maxWorkers: '8', window: '10s' } });
    Template.fromStack(custom.data).hasResourceProperties('AWS::Kinesis::Stream', { Name: STREAM_NAME, ShardCount: 8 });
    Template.fromStack(custom.workers).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Command: Match.arrayWith(['--window', '10s']) })]),
    });
    expect(Stack.of(custom.workers).stackName).toBe('StockTradesWorkers');
  });
});
