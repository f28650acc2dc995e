import { Scheduler, type StreamPort, schedulerConfig } from '../../src/index.js';
import type { InMemoryLeaseStore } from '../helpers/InMemoryLeaseStore.js';
import type { FakeStream } from './FakeStream.js';
import type { FaultPlan } from './FaultPlan.js';
import { FaultyLeaseStore } from './FaultyLeaseStore.js';
import type { InvariantMonitor } from './InvariantMonitor.js';
import { recordingProcessorFactory } from './recordingProcessorFactory.js';
import { SimProcess } from './SimProcess.js';
import { FAILOVER_MS, type Scenario } from './scenarioArbitrary.js';
import { seededRandom } from './seededRandom.js';
import type { Trace } from './Trace.js';
import type { VirtualClock } from './VirtualClock.js';

export interface SimWorldDeps {
  readonly clock: VirtualClock;
  readonly stream: FakeStream;
  readonly table: InMemoryLeaseStore;
  readonly faults: FaultPlan;
  readonly monitor: InvariantMonitor;
  readonly trace: Trace;
  readonly scenario: Scenario;
  readonly stealing: boolean;
  readonly shardSyncIntervalMs: number;
}

/**
 * A real Scheduler in a simulated process: its clock, lease table and stream calls all
 * go through the process, so that it can be stopped cleanly, paused, or killed.
 */
export class SimWorker {
  readonly process: SimProcess;
  private readonly scheduler: Scheduler;
  private ended: 'stopping' | 'exited' | 'killed' | undefined;

  constructor(
    workerId: string,
    private readonly world: SimWorldDeps,
    random: () => number,
  ) {
    const { clock, stream, table, faults, monitor, trace, scenario } = world;
    // Each on its own monotonic clock, as on its own machine: only differences mean anything.
    this.process = new SimProcess(workerId, clock, Math.floor(random() * 1e9), Math.floor(random() * 10_000) - 5000);
    const process = this.process;
    const port: StreamPort = {
      listShards: () => process.call(() => stream.listShards()),
      getShardIterator: (shardId, position) => process.call(() => stream.getShardIterator(shardId, position)),
      getRecords: (iterator, limit) => process.call(() => stream.getRecords(iterator, limit)),
    };
    const config = schedulerConfig({
      applicationName: 'Simulation',
      streamName: 'simulated',
      workerId,
      failoverMs: FAILOVER_MS,
      maxRecords: scenario.maxRecords,
      shardSyncIntervalMs: world.shardSyncIntervalMs,
      ...(world.stealing ? {} : { maxLeasesToStealAtOneTime: 0 }),
    });
    this.scheduler = new Scheduler(config, {
      stream: port,
      store: new FaultyLeaseStore({ table, process, clock, faults, monitor }),
      processorFactory: recordingProcessorFactory({
        workerId,
        clock: process,
        monitor,
        trace,
        random: seededRandom(Math.floor(random() * 2 ** 32)),
        processingMs: scenario.processingMs,
        checkpointing: scenario.checkpointing,
        rethrowCheckpointErrors: scenario.rethrowCheckpointErrors,
      }),
      clock: process,
      log: trace.loggerFor(workerId),
      random: seededRandom(Math.floor(random() * 2 ** 32)),
    });
    trace.add(workerId, 'started');
    this.scheduler.run().then(
      () => trace.add(workerId, 'run ended'),
      (error: unknown) => {
        this.ended ??= 'exited';
        trace.add(workerId, `run failed, the process exits: ${error instanceof Error ? error.message : error}`);
      },
    );
  }

  get workerId(): string {
    return this.process.id;
  }

  /** Neither stopping, stopped, exited nor killed. */
  get isLive(): boolean {
    return this.ended === undefined;
  }

  /** Live and not paused: a process that can act on a signal now. */
  get isRunning(): boolean {
    return this.isLive && this.process.state === 'running';
  }

  stop(): void {
    this.ended = 'stopping';
    this.world.trace.add(this.workerId, 'shutdown()');
    this.scheduler.shutdown();
  }

  kill(): void {
    this.ended = 'killed';
    this.process.kill();
    this.world.monitor.onKill(this.workerId);
    this.world.trace.add(this.workerId, 'killed');
  }

  pause(ms: number): void {
    this.process.pause(ms);
    this.world.trace.add(this.workerId, `paused for ${ms} ms`);
  }
}
