import { fileURLToPath } from 'node:url';
import { AGGREGATOR_APPLICATION, CONSUMER_APPLICATION } from '@stock-trades/core';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { FlowLogDestination, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  FirelensLogRouterType,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IStream, Stream } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DataStack } from './DataStack.js';
import { grantStreamKey, resourceArns, type Stage, stageStatements } from './roles.js';
import type { InfraSettings } from './settings.js';

/** The repository: the image is built from it (infra/Dockerfile). */
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
/** Scale out when the oldest unread record of the trade stream is older than this. */
export const TARGET_ITERATOR_AGE_MS = 30_000;
/** Alarm when the consumers fall this far behind, for five minutes. */
export const ITERATOR_AGE_ALARM_MS = 120_000;

/**
 * The worker fleet on ECS Fargate: the consumer as a service scaled between the bounds on the
 * trade stream's iterator age, the aggregator as one task, the producer as a task definition
 * to run for a demo; one IAM role per stage (roles.ts), the CloudWatch dashboard and alarms.
 * Fargate rather than an EC2 Auto Scaling group: no instances to patch or size, billed per
 * task-second, and a worker is a container either way.
 */
export class WorkersStack extends Stack {
  readonly roles: Readonly<Record<'producer' | 'consumer' | 'aggregator', Role>>;
  readonly consumerService: FargateService;
  readonly aggregatorService: FargateService;
  /** The producer, for a demo: a task definition to run, not a service. */
  readonly producerTask: FargateTaskDefinition;
  readonly managedPolicies: Readonly<Record<'dashboard' | 'admin', ManagedPolicy>>;

  constructor(scope: Construct, id: string, data: DataStack, settings: InfraSettings, props?: StackProps) {
    super(scope, id, props);
    // The streams and tables must exist before the workers start (the roles name them, they are not imported).
    this.addStackDependency(data, 'the roles name its streams and tables');
    // The streams by name, for their metrics: no export from the data stack to keep in step.
    const arns = resourceArns(this);
    const streams = {
      trades: Stream.fromStreamArn(this, 'TradesByName', arns.trades),
      stats: Stream.fromStreamArn(this, 'StatsByName', arns.stats),
    };
    // Public subnets only, no NAT gateway (about $32 a month each): tasks reach Kinesis and DynamoDB over the
    // internet with a public IP and a security group that lets nothing in.
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
          ),
        },
      },
    });
    const cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED });
    const image = ContainerImage.fromAsset(REPOSITORY, { file: 'infra/Dockerfile', platform: Platform.LINUX_AMD64 });
    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const roleFor = (stage: 'producer' | 'consumer' | 'aggregator') => {
      const role = new Role(this, `${capitalized(stage)}Role`, {
        assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: `stock-trades ${stage}: exactly the AWS calls its code makes`,
      });
      for (const statement of stageStatements(stage, this)) role.addToPolicy(statement);
      grantStreamKey(stage, data, role);
      return role;
    };
    this.roles = { producer: roleFor('producer'), consumer: roleFor('consumer'), aggregator: roleFor('aggregator') };

    const task = (stage: 'producer' | 'consumer' | 'aggregator', command: string[]) => {
      const definition = new FargateTaskDefinition(this, `${capitalized(stage)}Task`, {
        cpu: 256,
        memoryLimitMiB: 512,
        taskRole: this.roles[stage],
        runtimePlatform: {
          cpuArchitecture: CpuArchitecture.X86_64,
          operatingSystemFamily: OperatingSystemFamily.LINUX,
        },
      });
      // The workers write kcl's metrics as EMF lines on stdout (`--metrics emf`). CloudWatch turns such lines into metrics
      // only when they arrive with the json/emf log format, which ECS's awslogs driver does not set: a FireLens log
      // router (AWS for Fluent Bit) sends the container's output to the same log group with it.
      const metered = stage !== 'producer';
      if (metered) {
        definition.addFirelensLogRouter(`${capitalized(stage)}LogRouter`, {
          // From ECR Public: no pull permissions to grant. `stable` is the tag AWS recommends for production.
          image: ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable'),
          firelensConfig: { type: FirelensLogRouterType.FLUENTBIT },
          logging: LogDrivers.awsLogs({ logGroup: logs, streamPrefix: `${stage}-router` }),
          memoryReservationMiB: 50,
        });
        // The router writes with the task's role.
        logs.grantWrite(this.roles[stage]);
      }
      definition.addContainer(stage, {
        image,
        command: [
          stage,
          '--target',
          'aws',
          '--log-format',
          'json',
          ...(metered ? ['--metrics', 'emf'] : []),
          ...command,
        ],
        logging: metered
          ? LogDrivers.firelens({
              options: {
                Name: 'cloudwatch_logs',
                region: this.region,
                log_group_name: logs.logGroupName,
                log_stream_prefix: `${stage}/`,
                log_format: 'json/emf',
                auto_create_group: 'false',
              },
            })
          : LogDrivers.awsLogs({ logGroup: logs, streamPrefix: stage }),
        // Region and credentials come from the task (the SDK's default chain): nothing secret in the definition.
        environment: { AWS_REGION: this.region },
        stopTimeout: Duration.seconds(30),
      });
      return definition;
    };
    const service = (stage: 'consumer' | 'aggregator', command: string[], desiredCount: number) =>
      new FargateService(this, `${capitalized(stage)}Service`, {
        cluster,
        taskDefinition: task(stage, command),
        desiredCount,
        assignPublicIp: true,
        vpcSubnets: { subnetType: SubnetType.PUBLIC },
        // A worker stopping hands its leases over (SIGTERM: checkpoint, release); a new one takes them at once.
        minHealthyPercent: stage === 'aggregator' ? 0 : 100,
        maxHealthyPercent: stage === 'aggregator' ? 100 : 200,
        circuitBreaker: { rollback: true },
      });
    this.consumerService = service(
      'consumer',
      ['--application-name', CONSUMER_APPLICATION, '--window', settings.window, '--quiet'],
      settings.minWorkers,
    );
    this.aggregatorService = service(
      'aggregator',
      ['--application-name', AGGREGATOR_APPLICATION, '--table', '--quiet'],
      1,
    );
    // For a demo: `aws ecs run-task` (docs/aws.md) writes trades at 200 a second until stopped.
    this.producerTask = task('producer', ['--rate', '200']);
    new CfnOutput(this, 'RunProducer', {
      description: 'Starts the producer for a demo (stop it with aws ecs stop-task, or it runs until stopped)',
      value: Fn.join('', [
        'aws ecs run-task --launch-type FARGATE --cluster ',
        cluster.clusterName,
        ' --task-definition ',
        this.producerTask.taskDefinitionArn,
        ' --network-configuration awsvpcConfiguration={subnets=[',
        Fn.join(
          ',',
          vpc.publicSubnets.map((subnet) => subnet.subnetId),
        ),
        '],securityGroups=[',
        this.consumerService.connections.securityGroups[0]?.securityGroupId ?? '',
        '],assignPublicIp=ENABLED}',
      ]),
    });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });

    // More workers while the oldest unread trade is older than the target, fewer when it is younger.
    const iteratorAge = streams.trades.metricGetRecordsIteratorAgeMilliseconds({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.consumerService
      .autoScaleTaskCount({ minCapacity: settings.minWorkers, maxCapacity: settings.maxWorkers })
      .scaleToTrackCustomMetric('IteratorAge', {
        metric: iteratorAge,
        targetValue: TARGET_ITERATOR_AGE_MS,
        scaleOutCooldown: Duration.minutes(1),
        scaleInCooldown: Duration.minutes(5),
      });

    this.managedPolicies = {
      dashboard: this.policy('dashboard', 'pnpm dashboard --target aws: read-only', data),
      admin: this.policy('admin', 'pnpm create-stream and pnpm teardown --target aws', data),
    };

    this.monitoring(streams, iteratorAge);
  }

  private policy(stage: Stage, description: string, data: DataStack): ManagedPolicy {
    const policy = new ManagedPolicy(this, `${capitalized(stage)}Policy`, {
      description,
      statements: stageStatements(stage, this),
    });
    grantStreamKey(stage, data, policy);
    return policy;
  }

  /** The pnpm dashboard's panels that CloudWatch has, and alarms on lag and throttling. */
  private monitoring(data: { trades: IStream; stats: IStream }, iteratorAge: IMetric): void {
    const perStream = (metric: (stream: IStream) => IMetric) => [metric(data.trades), metric(data.stats)];
    const sum = { statistic: 'Sum', period: Duration.minutes(1) };
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: 'StockTrades' });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'IncomingRecords',
        left: perStream((stream) => stream.metricIncomingRecords(sum)),
      }),
      new GraphWidget({
        title: 'IncomingBytes',
        left: perStream((stream) => stream.metricIncomingBytes(sum)),
      }),
      new GraphWidget({
        title: 'GetRecords.IteratorAgeMilliseconds (Maximum)',
        left: perStream((stream) =>
          stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: Duration.minutes(1) }),
        ),
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'WriteProvisionedThroughputExceeded',
        left: perStream((stream) => stream.metricWriteProvisionedThroughputExceeded(sum)),
      }),
      new GraphWidget({
        title: 'ReadProvisionedThroughputExceeded',
        left: perStream((stream) => stream.metricReadProvisionedThroughputExceeded(sum)),
      }),
      new GraphWidget({
        title: 'Consumer tasks: CPU',
        left: [this.consumerService.metricCpuUtilization()],
      }),
    );
    // The workers' own metrics (kcl, through EMF), per shard: what the pnpm dashboard's shard table shows.
    const workerMetric = (namespace: string, name: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${namespace},Operation,ShardId} MetricName="${name}"', '${statistic}', 60)`,
        label,
        period: Duration.minutes(1),
      });
    dashboard.addWidgets(
      new GraphWidget({
        title: `${CONSUMER_APPLICATION}: MillisBehindLatest per shard (Maximum)`,
        left: [workerMetric(CONSUMER_APPLICATION, 'MillisBehindLatest', 'Maximum', 'lag')],
      }),
      new GraphWidget({
        title: `${CONSUMER_APPLICATION}: RecordsProcessed per shard (Sum)`,
        left: [workerMetric(CONSUMER_APPLICATION, 'RecordsProcessed', 'Sum', 'trades')],
      }),
      new GraphWidget({
        title: `${AGGREGATOR_APPLICATION}: RecordsProcessed (Sum)`,
        left: [workerMetric(AGGREGATOR_APPLICATION, 'RecordsProcessed', 'Sum', 'samples')],
      }),
    );
    // Each alarm fires when its metric stays above the threshold for five minutes running.
    const alarms: Array<[id: string, metric: IMetric, threshold: number, description: string]> = [
      [
        'ConsumersBehind',
        iteratorAge,
        ITERATOR_AGE_ALARM_MS,
        `The consumers are more than ${ITERATOR_AGE_ALARM_MS / 1000} s behind StockTradeStream for 5 minutes`,
      ],
      [
        'WritesThrottled',
        data.trades.metricWriteProvisionedThroughputExceeded(sum),
        0,
        'StockTradeStream refused writes in each of 5 minutes: more shards, or fewer readers',
      ],
      [
        'ReadsThrottled',
        data.trades.metricReadProvisionedThroughputExceeded(sum),
        0,
        'StockTradeStream throttled reads in each of 5 minutes: more shards, or fewer readers',
      ],
    ];
    for (const [id, metric, threshold, alarmDescription] of alarms) {
      new Alarm(this, id, {
        alarmDescription,
        metric,
        threshold,
        evaluationPeriods: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

function capitalized(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}
