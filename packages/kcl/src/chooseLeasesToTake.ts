import { Sentinel } from './ExtendedSequenceNumber.js';
import { handoffBlocksTake } from './handoff.js';
import type { Lease } from './Lease.js';
import type { ObservedLease } from './LeaseExpiryTracker.js';

export interface TakePolicy {
  /** At most this many leases per worker (default: no limit). */
  readonly maxLeasesForWorker: number;
  /** At most this many leases stolen from a live worker per round (KCL default 1). */
  readonly maxLeasesToStealAtOneTime: number;
  /** Whether this round may steal at all (the scheduler steals only on full take rounds). */
  readonly allowSteal: boolean;
}

export interface TakeDecision {
  /** Expired or unowned leases to take. */
  readonly take: Lease[];
  /** Leases to take from a live worker that holds more than its share. */
  readonly steal: Lease[];
  /** ceil(leases / workers), capped: the share this worker aims for. */
  readonly target: number;
}

/**
 * The Java KCL's lease-taking rule, as a pure function. Aim for ceil(leases / workers);
 * take expired or unowned leases first; only when none is left, steal from the most
 * loaded worker, at most `maxLeasesToStealAtOneTime` at a time, and only from a worker
 * above the target (or at it, when we are two or more short) so that two workers never
 * pass a lease back and forth. Finished shards (checkpoint SHARD_END) are not counted. A lease
 * in a Java KCL 3 graceful handoff counts for its next owner (leaseOwner) and is never stolen;
 * it is taken only once expired (handoffBlocksTake).
 */
export function chooseLeasesToTake(
  observed: readonly ObservedLease[],
  workerId: string,
  policy: TakePolicy,
  random: () => number,
): TakeDecision {
  const active = observed.filter(({ lease }) => lease.checkpoint.sequenceNumber !== Sentinel.SHARD_END);
  const perWorker = new Map<string, Lease[]>([[workerId, []]]);
  const expired: Lease[] = [];
  const inHandoff = new Set<Lease>();
  for (const entry of active) {
    const { lease, expired: isExpired } = entry;
    if (isExpired || lease.leaseOwner === undefined) {
      expired.push(lease);
      continue;
    }
    if (handoffBlocksTake(entry)) inHandoff.add(lease);
    const held = perWorker.get(lease.leaseOwner) ?? [];
    held.push(lease);
    perWorker.set(lease.leaseOwner, held);
  }
  const target = Math.min(policy.maxLeasesForWorker, Math.ceil(active.length / perWorker.size));
  const needed = target - (perWorker.get(workerId)?.length ?? 0);
  if (needed <= 0) return { take: [], steal: [], target };
  if (expired.length > 0) return { take: shuffle(expired, random).slice(0, needed), steal: [], target };
  if (!policy.allowSteal) return { take: [], steal: [], target };

  let mostLoaded: [string, Lease[]] | undefined;
  for (const entry of perWorker) {
    if (entry[0] === workerId) continue;
    if (
      !mostLoaded ||
      entry[1].length > mostLoaded[1].length ||
      (entry[1].length === mostLoaded[1].length && entry[0] < mostLoaded[0])
    ) {
      mostLoaded = entry;
    }
  }
  if (!mostLoaded) return { take: [], steal: [], target };
  const theirs = mostLoaded[1].length;
  let count = 0;
  if (theirs > target) count = Math.min(needed, theirs - target);
  else if (theirs === target && needed > 1) count = 1;
  count = Math.min(count, policy.maxLeasesToStealAtOneTime);
  const stealable = mostLoaded[1].filter((lease) => !inHandoff.has(lease));
  return { take: [], steal: shuffle(stealable, random).slice(0, count), target };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
