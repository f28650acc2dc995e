/** The whole 128-bit hash-key space of a stream. */
export const MAX_HASH_KEY = 2n ** 128n - 1n;

export interface Reporter {
  readonly shardId: string;
  readonly range: { readonly start: bigint; readonly end: bigint } | null;
  /** This window is the shard's last; its children must report it too. */
  readonly final: boolean;
  readonly childShardIds: readonly string[];
}

export interface Coverage {
  readonly complete: boolean;
  /** Hash-key ranges no reporting shard covers. */
  readonly gaps: Array<{ start: bigint; end: bigint }>;
  /** Children of a shard that ended in this window and have not reported it. */
  readonly missingChildren: string[];
}

/**
 * Whether every shard open during a window has reported it: the reporting shards' hash
 * ranges cover the whole key space, and every shard that ended in the window (a split or
 * merge) has its children's reports too — they report the window their parents ended in,
 * so a reshard mid-window neither leaves it forever incomplete nor completes it too early.
 */
export function windowCoverage(reporters: readonly Reporter[]): Coverage {
  const reported = new Set(reporters.map((reporter) => reporter.shardId));
  const missingChildren = reporters
    .filter((reporter) => reporter.final)
    .flatMap((reporter) => reporter.childShardIds.filter((child) => !reported.has(child)));
  const ranges = reporters
    .flatMap((reporter) => (reporter.range ? [reporter.range] : []))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const gaps: Array<{ start: bigint; end: bigint }> = [];
  let next = 0n;
  for (const range of ranges) {
    if (range.start > next) gaps.push({ start: next, end: range.start - 1n });
    if (range.end + 1n > next) next = range.end + 1n;
  }
  if (next <= MAX_HASH_KEY) gaps.push({ start: next, end: MAX_HASH_KEY });
  return {
    complete: gaps.length === 0 && missingChildren.length === 0,
    gaps,
    missingChildren: [...new Set(missingChildren)],
  };
}
