import fc from 'fast-check';
import { INVARIANTS, type InvariantId } from './InvariantMonitor.js';
import { runSimulation, type SimulationOptions } from './runSimulation.js';
import type { Scenario } from './scenarioArbitrary.js';

/** SIM_DEBUG=1: the trace of a failing case shows the workers' debug messages too. */
const DEBUG_LOG = process.env.SIM_DEBUG === '1';

/** Named sets of invariants, each checked (and shrunk) on its own. */
export type InvariantGroups = Readonly<Record<string, readonly InvariantId[]>>;

export interface Exploration {
  readonly seed: number;
  /** Per group, the index of the first run that broke it: with the seed, fast-check's path to replay it. */
  readonly firstFailure: ReadonlyMap<string, number>;
}

/**
 * Runs `numRuns` scenarios once and notes, for each group, the first one that broke it, so that
 * every group is judged on the same runs without simulating them once per group.
 */
export async function explore(
  arbitrary: fc.Arbitrary<Scenario>,
  groups: InvariantGroups,
  settings: { readonly numRuns: number; readonly options?: SimulationOptions },
): Promise<Exploration> {
  const firstFailure = new Map<string, number>();
  let run = 0;
  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    const index = run++;
    const { violations } = await runSimulation(scenario, settings.options);
    for (const [name, invariants] of Object.entries(groups)) {
      if (firstFailure.has(name)) continue;
      if (violations.some((violation) => invariants.includes(violation.invariant))) firstFailure.set(name, index);
    }
  });
  const details = await fc.check(property, { numRuns: settings.numRuns });
  if (details.failed) throw new Error(report(details, 'the simulation itself failed'));
  return { seed: details.seed, firstFailure };
}

export interface ReplaySettings {
  /** The test's name, for the replay command. */
  readonly name: string;
  readonly invariants: readonly InvariantId[];
  readonly seed: number;
  readonly path: string;
  readonly options?: SimulationOptions;
  /** Shrinking stops after this long; the smallest failing case found so far is reported. */
  readonly shrinkMs: number;
}

/** Replays one failing case, shrinks it (within `shrinkMs`) and throws the report; returns if it does not fail. */
export async function replayAndShrink(arbitrary: fc.Arbitrary<Scenario>, settings: ReplaySettings): Promise<void> {
  const property = fc.asyncProperty(arbitrary, (scenario) =>
    expectInvariants(scenario, settings.invariants, settings.options),
  );
  const details = await fc.check(property, {
    seed: settings.seed,
    path: settings.path,
    numRuns: 1,
    interruptAfterTimeLimit: settings.shrinkMs,
  });
  if (!details.failed) return;
  const replay = `SIM_SEED=${details.seed} SIM_PATH=${details.counterexamplePath ?? ''} npx vitest run --project unit packages/kcl/tests/simulation.test.ts -t '${settings.name}'`;
  throw new Error(report(details, `replay: ${replay}`));
}

/** Runs one scenario and throws if it broke any of `invariants`: what broke, and the end of the trace. */
export async function expectInvariants(
  scenario: Scenario,
  invariants: readonly InvariantId[],
  options?: SimulationOptions,
  traceLines = 60,
): Promise<void> {
  const result = await runSimulation(scenario, { ...options, debugLog: DEBUG_LOG });
  const broken = result.violations.filter((violation) => invariants.includes(violation.invariant));
  if (broken.length === 0) return;
  const which = [...new Set(broken.map((violation) => violation.invariant))];
  const lines = [
    ...which.map((invariant) => `${invariant}: ${INVARIANTS[invariant]}`),
    ...broken
      .slice(0, 8)
      .map(({ invariant, at, message }) => `  ${invariant} at ${(at / 1000).toFixed(3)}s: ${message}`),
    ...(broken.length > 8 ? [`  … and ${broken.length - 8} more`] : []),
    `trace, last ${traceLines} lines (renewals that landed are left out):`,
    ...result.trace.lines(traceLines),
  ];
  throw new Error(lines.join('\n'));
}

function report(details: fc.RunDetails<[Scenario]>, headline: string): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${headline}\n\n${fc.defaultReportMessage(details)}\n\n${error}`;
}
