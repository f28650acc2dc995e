import fc from 'fast-check';
import type { StoreFaultKind } from './FaultPlan.js';
import type { CheckpointPolicy } from './recordingProcessorFactory.js';

/** The failover time of every simulated worker; the other timings follow from it (schedulerConfig). */
export const FAILOVER_MS = 5_000;

/** Worker and shard picks are taken modulo what there is to pick from when the action runs. */
export type Action =
  | { readonly type: 'start' }
  | { readonly type: 'stop'; readonly worker: number }
  | { readonly type: 'kill'; readonly worker: number }
  | { readonly type: 'pause'; readonly worker: number; readonly ms: number }
  | { readonly type: 'split'; readonly shard: number }
  | { readonly type: 'merge'; readonly shard: number }
  | { readonly type: 'records'; readonly shard: number; readonly count: number }
  | {
      readonly type: 'store-fault';
      readonly worker: number | undefined;
      readonly kind: StoreFaultKind;
      readonly rate: number;
      readonly ms: number;
    }
  | {
      readonly type: 'store-delay';
      readonly worker: number | undefined;
      readonly latencyMs: number;
      readonly ms: number;
    }
  | { readonly type: 'read-throttle'; readonly shard: number | undefined; readonly ms: number }
  | { readonly type: 'expire-iterators' };

export interface Scenario {
  /** Seeds everything random inside a run: lease choices, fault draws, checkpoint positions. */
  readonly seed: number;
  readonly shards: number;
  readonly records: number;
  readonly workers: number;
  /** GetRecords limit. */
  readonly maxRecords: number;
  readonly processingMs: number;
  readonly checkpointing: CheckpointPolicy;
  readonly rethrowCheckpointErrors: boolean;
  readonly endOnLastPage: boolean;
  readonly storeLatencyMs: number;
  /** Each action runs `afterMs` after the one before. */
  readonly events: ReadonlyArray<{ readonly afterMs: number; readonly action: Action }>;
}

const worker = fc.nat({ max: 7 });
const shard = fc.nat({ max: 15 });
const window = fc.integer({ min: 200, max: 2 * FAILOVER_MS });

/** Every action, or all but pauses. */
export function actionArbitrary({ pauses }: { readonly pauses: boolean }): fc.Arbitrary<Action> {
  const actions: Array<fc.WeightedArbitrary<Action>> = [
    {
      weight: 4,
      arbitrary: fc.record({ type: fc.constant('records'), shard, count: fc.integer({ min: 1, max: 20 }) }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('start') }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('stop'), worker }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('kill'), worker }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('split'), shard }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('merge'), shard }) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('store-fault'),
        worker: fc.option(worker, { nil: undefined }),
        kind: fc.constantFrom<StoreFaultKind>('throttle', 'error', 'error-after-write'),
        rate: fc.constantFrom(1, 0.5, 0.2),
        ms: window,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('store-delay'),
        worker: fc.option(worker, { nil: undefined }),
        latencyMs: fc.integer({ min: 1, max: FAILOVER_MS / 2 }),
        ms: window,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('read-throttle'),
        shard: fc.option(shard, { nil: undefined }),
        ms: window,
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('expire-iterators') }) },
  ];
  if (pauses) {
    const ms = fc.integer({ min: FAILOVER_MS / 2, max: 3 * FAILOVER_MS });
    actions.push({ weight: 2, arbitrary: fc.record({ type: fc.constant('pause'), worker, ms }) });
  }
  return fc.oneof(...actions);
}

export function scenarioArbitrary({ pauses = true }: { readonly pauses?: boolean } = {}): fc.Arbitrary<Scenario> {
  return fc.record({
    seed: fc.integer(),
    shards: fc.integer({ min: 1, max: 4 }),
    records: fc.integer({ min: 0, max: 30 }),
    workers: fc.integer({ min: 1, max: 3 }),
    maxRecords: fc.integer({ min: 1, max: 10 }),
    processingMs: fc.constantFrom(0, 0, 50, 400, 1500),
    checkpointing: fc.constantFrom<CheckpointPolicy>('every-batch', 'some-batches', 'mid-batch', 'never'),
    rethrowCheckpointErrors: fc.boolean(),
    endOnLastPage: fc.boolean(),
    storeLatencyMs: fc.constantFrom(0, 0, 5, 40),
    events: fc.array(
      fc.record({ afterMs: fc.integer({ min: 0, max: FAILOVER_MS }), action: actionArbitrary({ pauses }) }),
      { maxLength: 12 },
    ),
  });
}
