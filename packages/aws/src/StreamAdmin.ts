import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  StreamMode,
  UpdateShardCountCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import type { AwsClients } from './createClients.js';
import { ResourceStateError } from './errors.js';
import { type AwsCallContext, sdkErrorName, translateAwsError } from './translateAwsError.js';
import { viaWaiter, type WaitOptions, waiterTiming } from './waitFor.js';

export const StreamCapacity = {
  PROVISIONED: 'PROVISIONED',
  ON_DEMAND: 'ON_DEMAND',
} as const;
export type StreamCapacity = (typeof StreamCapacity)[keyof typeof StreamCapacity];

export interface StreamDescription {
  readonly name: string;
  /** CREATING | ACTIVE | UPDATING | DELETING */
  readonly status: string;
  readonly capacity: StreamCapacity;
  readonly openShardCount: number;
  /** How long records stay readable in the stream. */
  readonly retentionHours: number;
  /** When it was created (for what it has cost so far). */
  readonly createdAt?: Date;
}

export type StreamSpec = { capacity: 'PROVISIONED'; shards: number } | { capacity: 'ON_DEMAND' };

/** Creates, describes and deletes Kinesis streams; SDK errors are translated here. */
export class StreamAdmin {
  private readonly kinesis: KinesisClient;

  constructor(private readonly clients: Pick<AwsClients, 'kinesis' | 'kinesisEndpoint' | 'target'>) {
    this.kinesis = clients.kinesis;
  }

  /** The stream as it is now, or undefined when it does not exist. */
  async describe(name: string): Promise<StreamDescription | undefined> {
    try {
      const { StreamDescriptionSummary: summary } = await this.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      if (!summary) return undefined;
      return {
        name,
        status: summary.StreamStatus ?? 'UNKNOWN',
        capacity:
          summary.StreamModeDetails?.StreamMode === StreamMode.ON_DEMAND
            ? StreamCapacity.ON_DEMAND
            : StreamCapacity.PROVISIONED,
        openShardCount: summary.OpenShardCount ?? 0,
        retentionHours: summary.RetentionPeriodHours ?? 24,
        ...(summary.StreamCreationTimestamp ? { createdAt: summary.StreamCreationTimestamp } : {}),
      };
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw translateAwsError(error, this.context(`describe stream ${name}`));
    }
  }

  /** Asks for the stream; false when it already existed (CreateStream said so). */
  async create(name: string, spec: StreamSpec): Promise<boolean> {
    const input =
      spec.capacity === StreamCapacity.ON_DEMAND
        ? { StreamName: name, StreamModeDetails: { StreamMode: StreamMode.ON_DEMAND } }
        : { StreamName: name, ShardCount: spec.shards, StreamModeDetails: { StreamMode: StreamMode.PROVISIONED } };
    try {
      await this.kinesis.send(new CreateStreamCommand(input));
      return true;
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceInUseException') return false;
      throw translateAwsError(error, this.context(`create stream ${name}`));
    }
  }

  /**
   * Until the stream is ACTIVE (created, or resharded), by the SDK's own waiter. One look
   * first, so an access error is told at once rather than waited out.
   */
  async waitUntilActive(name: string, options: WaitOptions = {}): Promise<StreamDescription> {
    const now = await this.describe(name);
    if (now?.status !== 'ACTIVE') {
      await viaWaiter(`stream ${name} to become ACTIVE`, options, () =>
        waitUntilStreamExists({ client: this.kinesis, ...waiterTiming(options) }, { StreamName: name }),
      );
    }
    const stream = now?.status === 'ACTIVE' ? now : await this.describe(name);
    if (!stream) throw new ResourceStateError(`stream ${name} is gone`);
    return stream;
  }

  /**
   * Asks for `target` open shards (uniform scaling: at most double or half the open shards
   * at a time, as Kinesis allows). The stream is UPDATING until the new shards are open.
   */
  async updateShardCount(name: string, target: number): Promise<void> {
    try {
      await this.kinesis.send(
        new UpdateShardCountCommand({ StreamName: name, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }),
      );
    } catch (error) {
      throw translateAwsError(error, this.context(`reshard stream ${name} to ${target} shards`));
    }
  }

  /** Asks for deletion; false when the stream was already gone. */
  async delete(name: string): Promise<boolean> {
    try {
      await this.kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
      return true;
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceNotFoundException') return false;
      throw translateAwsError(error, this.context(`delete stream ${name}`));
    }
  }

  /** Until the stream is deleted, by the SDK's own waiter. */
  async waitUntilGone(name: string, options: WaitOptions = {}): Promise<void> {
    if ((await this.describe(name)) === undefined) return;
    await viaWaiter(`stream ${name} to be deleted`, options, () =>
      waitUntilStreamNotExists({ client: this.kinesis, ...waiterTiming(options) }, { StreamName: name }),
    );
  }

  private context(action: string): AwsCallContext {
    return { service: 'Kinesis', endpoint: this.clients.kinesisEndpoint, target: this.clients.target, action };
  }
}
