import { InMemoryLeaseStore } from '../helpers/InMemoryLeaseStore.js';
import { FakeStream } from './FakeStream.js';
import { FaultPlan } from './FaultPlan.js';
import { type CheckpointAttempt, InvariantMonitor, type Violation } from './InvariantMonitor.js';
import { SimWorker, type SimWorldDeps } from './SimWorker.js';
import { type Action, FAILOVER_MS, type Scenario } from './scenarioArbitrary.js';
import { seededRandom } from './seededRandom.js';
import { Trace } from './Trace.js';
import { VirtualClock } from './VirtualClock.js';

/**
 * After the last action, pause and fault, every live worker runs with nothing going wrong
 * for at least QUIET_MIN_MS. From then on the run ends at the first look (one per failover
 * time) at which the end state (I1, I4) holds and held at the look before, or once nothing
 * has moved (no record processed, no take or checkpoint landed) for STUCK_LOOKS looks in a
 * row, or at QUIET_MAX_MS; the end state is then checked.
 */
export const QUIET_MIN_MS = 3 * FAILOVER_MS;
const STUCK_LOOKS = 5;
const QUIET_MAX_MS = 100 * FAILOVER_MS;
const MAX_LIVE_WORKERS = 4;
const MAX_WORKERS = 10;

export interface SimulationOptions {
  /** Whether workers steal leases to balance (KCL's default); off, a lease changes hands only once free or expired. */
  readonly stealing?: boolean;
  /**
   * How often each worker syncs the lease table with the shard list: the library's own repair for a
   * child lease that could not be created at shard end. Default twice the failover time, so that it
   * runs within the quiet period (the library's default is 60 s).
   */
  readonly shardSyncIntervalMs?: number;
  /** Whether the trace gets the workers' debug messages too. */
  readonly debugLog?: boolean;
}

export interface SimulationResult {
  readonly violations: readonly Violation[];
  /** Every checkpoint write that reached the table: by whom, where, whether the writer held the lease then, accepted. */
  readonly checkpoints: readonly CheckpointAttempt[];
  readonly trace: Trace;
  readonly stats: {
    readonly virtualMs: number;
    readonly timers: number;
    readonly workers: number;
    readonly shards: number;
    readonly records: number;
    readonly recordsProcessed: number;
  };
}

/**
 * Runs one scenario: its workers (real Schedulers) on one virtual clock, one lease table
 * and one fake stream, its actions at their times, then a quiet period; then checks the
 * end state. Deterministic: the same scenario gives the same trace.
 */
export async function runSimulation(
  scenario: Scenario,
  { stealing = true, shardSyncIntervalMs = 2 * FAILOVER_MS, debugLog = false }: SimulationOptions = {},
): Promise<SimulationResult> {
  const clock = new VirtualClock();
  const random = seededRandom(scenario.seed);
  const trace = new Trace(clock, debugLog);
  const stream = new FakeStream(clock, {
    shardCount: scenario.shards,
    endOnLastPage: scenario.endOnLastPage,
    maxShards: 16,
  });
  const table = new InMemoryLeaseStore();
  const faults = new FaultPlan(clock, seededRandom(random() * 2 ** 32), scenario.storeLatencyMs);
  const monitor = new InvariantMonitor(clock, stream, table, trace, FAILOVER_MS);
  const world: SimWorldDeps = { clock, stream, table, faults, monitor, trace, scenario, stealing, shardSyncIntervalMs };
  const workers: SimWorker[] = [];
  const startWorker = (force = false) => {
    const full = workers.length >= MAX_WORKERS || workers.filter((worker) => worker.isLive).length >= MAX_LIVE_WORKERS;
    if (full && !force) return;
    workers.push(new SimWorker(`w${workers.length + 1}`, world, random));
  };
  const apply = (action: Action) => {
    const running = workers.filter((worker) => worker.isRunning);
    const live = workers.filter((worker) => worker.isLive);
    const pick = <T>(items: readonly T[], index: number) => items[index % Math.max(1, items.length)];
    switch (action.type) {
      case 'start':
        return startWorker();
      case 'stop':
        return pick(running, action.worker)?.stop();
      case 'kill':
        return pick(live, action.worker)?.kill();
      case 'pause':
        return pick(running, action.worker)?.pause(action.ms);
      case 'split':
        if (stream.split(action.shard)) trace.add('sim', `split a shard: ${stream.shards.size} shards`);
        return;
      case 'merge':
        if (stream.merge(action.shard)) trace.add('sim', `merged two shards: ${stream.shards.size} shards`);
        return;
      case 'records':
        return stream.putRecords(action.shard, action.count);
      case 'store-fault': {
        const workerId = action.worker === undefined ? undefined : pick(workers, action.worker)?.workerId;
        trace.add('sim', `store ${action.kind} x${action.rate} for ${workerId ?? 'all'}, ${action.ms} ms`);
        return faults.addStoreFault(workerId, action.kind, action.rate, action.ms);
      }
      case 'store-delay': {
        const workerId = action.worker === undefined ? undefined : pick(workers, action.worker)?.workerId;
        trace.add('sim', `store latency ${action.latencyMs} ms for ${workerId ?? 'all'}, ${action.ms} ms`);
        return faults.addStoreDelay(workerId, action.latencyMs, action.ms);
      }
      case 'read-throttle':
        trace.add('sim', `GetRecords throttled on ${action.shard ?? 'all'} for ${action.ms} ms`);
        return stream.throttle(action.shard, action.ms);
      case 'expire-iterators':
        trace.add('sim', 'iterators expired');
        return stream.expireIterators();
    }
  };

  for (let i = 0; i < scenario.records; i++) stream.putRecords(i, 1);
  for (let i = 0; i < scenario.workers; i++) startWorker();
  let at = 0;
  for (const { afterMs, action } of scenario.events) {
    at += afterMs;
    await clock.runUntil(at);
    apply(action);
  }
  const calm = Math.max(at, faults.endsAt, stream.throttledUntil, ...workers.map((worker) => worker.process.resumesAt));
  await clock.runUntil(calm);
  if (!workers.some((worker) => worker.isLive)) startWorker(true);
  trace.add('sim', 'quiet period');
  const liveIds = () => workers.filter((worker) => worker.isLive).map((worker) => worker.workerId);
  let settledBefore = false;
  let stuckLooks = 0;
  let progress = monitor.progress;
  for (let quiet = FAILOVER_MS; quiet <= QUIET_MAX_MS; quiet += FAILOVER_MS) {
    await clock.runUntil(calm + quiet);
    const settled = monitor.endStateProblems(liveIds()).length === 0;
    stuckLooks = monitor.progress === progress ? stuckLooks + 1 : 0;
    progress = monitor.progress;
    if (quiet >= QUIET_MIN_MS && ((settled && settledBefore) || stuckLooks >= STUCK_LOOKS)) break;
    settledBefore = settled;
  }
  monitor.checkEnd(liveIds());
  return {
    violations: monitor.violations,
    checkpoints: monitor.checkpoints,
    trace,
    stats: {
      virtualMs: clock.monotonicNow(),
      timers: clock.steps,
      workers: workers.length,
      shards: stream.shards.size,
      records: [...stream.shards.values()].reduce((sum, shard) => sum + shard.records.length, 0),
      recordsProcessed: monitor.recordsProcessed,
    },
  };
}
