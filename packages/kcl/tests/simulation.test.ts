import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Exploration,
  expectInvariants,
  explore,
  type InvariantGroups,
  replayAndShrink,
} from './simulation/checkSimulation.js';
import {
  batchOutlastsLease,
  childLeaseThrottledAtShardEnd,
  mergeWhileOtherParentHasNoLease,
  slowScanBeforeLastRenewal,
} from './simulation/knownScenarios.js';
import { runSimulation, type SimulationOptions } from './simulation/runSimulation.js';
import { type Scenario, scenarioArbitrary } from './simulation/scenarioArbitrary.js';

/*
 * Deterministic simulation (see simulation/): several real Schedulers (failover 5 s, shard sync every
 * 10 s) on one virtual clock, one in-memory lease table with DynamoDB's conditional writes, one fake
 * stream. fast-check draws the schedule: workers started, stopped (shutdown()), killed (SIGKILL), paused
 * for 0.5 to 3 failover times (SIGSTOP); shards split and merged, records added; lease-table calls
 * throttled, failing (before or after the write lands) or slow; GetRecords throttled; iterators expired.
 * After the last action, pause and fault, the live workers run undisturbed for at least 3 failover times,
 * until the end state has held at two looks in a row (one failover time apart), or nothing has moved for
 * 5 looks. The invariants, as InvariantMonitor checks them:
 *
 *   I1  Every record of every shard was processed at least once (processRecords got it and finished its
 *       work on it: a worker killed mid-batch did not process it); every shard has a lease; every closed
 *       shard's lease ends at SHARD_END.
 *   I2  No write that lands in the table moves a lease's checkpoint backwards (TRIM_HORIZON < sequence
 *       numbers, ordered by (sequence, sub-sequence) < SHARD_END).
 *   I3  When a worker starts processRecords with records of a shard, the lease of each of the shard's
 *       parents (as the stream knows them) exists and is at SHARD_END.
 *   I4  At the end, every lease not at SHARD_END is held by a live worker (started, and not stopped,
 *       killed or exited), and the live workers' counts of such leases differ by at most one.
 *   I5  A renew, checkpoint, release or child-shards write lands only if the writer owns the lease in the
 *       table at that instant (the table checks owner and counter: this checks the table) — no checkpoint
 *       is written by a worker that no longer holds the lease.
 *   I5b Once worker B's take of a lease has landed and B has since processed records of the shard or had
 *       a checkpoint on it accepted, no other worker starts processRecords with records of the shard
 *       (unless it has taken the lease again itself).
 *   I6  No worker starts processRecords with records of a shard when the last take of that shard to land
 *       in the table was another worker's: a worker that could not renew stops before another can take.
 *   I6a At no instant are two processRecords calls for one shard under way (a killed worker is inside
 *       nothing; a paused one still is).
 *
 * I1–I5 hold over any schedule. I5b and I6 hold when leases change hands only once expired or released;
 * a steal (balancing) is learnt by the loser at its next renewal or checkpoint, as in the Java KCL, so it
 * may start one more batch meanwhile (its checkpoint is then refused: I5 holds). I6a is a stated limit, not
 * checked: a processRecords call under way when the lease runs out is not interrupted (see the README).
 *
 * Each group of properties explores SIM_RUNS scenarios (default 200) once; a group that failed is
 * replayed and shrunk for up to SIM_SHRINK_MS (default 2500), and the failure prints the shrunk scenario,
 * what broke, the end of the trace and the command that replays it:
 *   SIM_SEED=<seed> SIM_PATH=<path> npx vitest run --project unit packages/kcl/tests/simulation.test.ts -t '<name>'
 * (SIM_DEBUG=1 adds the workers' debug messages to the trace.)
 */

const RUNS = Number(process.env.SIM_RUNS ?? 200);
const SHRINK_MS = Number(process.env.SIM_SHRINK_MS ?? 2_500);
const REPLAY = process.env.SIM_SEED
  ? { seed: Number(process.env.SIM_SEED), path: process.env.SIM_PATH ?? '0' }
  : undefined;
const TIMEOUT_MS = 60_000 + RUNS * 500;

/** The properties over one arbitrary: explored once (RUNS scenarios), then each group's failure shrunk on its own. */
function properties(
  title: string,
  arbitrary: fc.Arbitrary<Scenario>,
  groups: InvariantGroups,
  options?: SimulationOptions,
): void {
  describe(title, () => {
    let exploration: Exploration | undefined;
    beforeAll(async () => {
      if (!REPLAY) exploration = await explore(arbitrary, groups, { numRuns: RUNS, options });
    }, TIMEOUT_MS);

    for (const [name, invariants] of Object.entries(groups)) {
      it(
        name,
        async () => {
          const index = exploration?.firstFailure.get(name);
          const failing =
            REPLAY ?? (exploration && index !== undefined ? { seed: exploration.seed, path: `${index}` } : undefined);
          if (!failing) return;
          await replayAndShrink(arbitrary, { name, invariants, options, shrinkMs: SHRINK_MS, ...failing });
          if (!REPLAY) throw new Error(`run ${failing.path} of seed ${failing.seed} failed, then passed on replay`);
        },
        TIMEOUT_MS,
      );
    }
  });
}

describe('KCL workers in a deterministic simulation', () => {
  it('runs a scenario the same way every time', async () => {
    for (const scenario of fc.sample(scenarioArbitrary(), { seed: 42, numRuns: 5 })) {
      const first = await runSimulation(scenario);
      const second = await runSimulation(scenario);

      expect(second.trace.lines()).toEqual(first.trace.lines());
      expect(second.violations).toEqual(first.violations);
    }
  });

  properties('over random schedules', scenarioArbitrary(), {
    'I1–I4: every record processed, checkpoints never move back, parents first, balanced at the end': [
      'I1',
      'I2',
      'I3',
      'I4',
    ],
    'I5: only the owner writes; no checkpoint from a worker that no longer holds the lease': ['I5'],
  });

  properties(
    'when leases change hands only once expired or released (no stealing)',
    scenarioArbitrary(),
    {
      'I5b and I6: a worker that cannot renew stops before another can take; a replaced owner processes nothing': [
        'I5',
        'I5b',
        'I6',
      ],
    },
    { stealing: false },
  );

  describe('scenarios that found bugs (see knownScenarios.ts)', () => {
    it('I3: a child of a merge waits for a parent whose lease is not created yet', async () => {
      await expectInvariants(mergeWhileOtherParentHasNoLease, ['I1', 'I2', 'I3', 'I4']);
    });

    it('I5, I6: a worker judges expiry from when its scan came back, not when it was sent', async () => {
      await expectInvariants(slowScanBeforeLastRenewal, ['I5', 'I6']);
    });

    it('I6a (a stated limit): a batch handed over just before the lease runs out is not interrupted', async () => {
      // Checked the other way round: the simulation does show the overlap the README states as a limit.
      const { violations } = await runSimulation(batchOutlastsLease, { stealing: false });
      expect(violations.filter((violation) => violation.invariant === 'I6a')).not.toEqual([]);
      expect(violations.filter((violation) => violation.invariant !== 'I6a')).toEqual([]);
    });

    it('I1: a child lease the table throttled at shard end is created within the quiet period (default sync)', async () => {
      await expectInvariants(childLeaseThrottledAtShardEnd, ['I1'], { shardSyncIntervalMs: 60_000 });
    });
  });
});
