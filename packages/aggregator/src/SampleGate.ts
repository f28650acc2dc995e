import { checkSample, type KnownShard, type SampleRejection, type WindowSample } from '@stock-trades/core';
import type { Logger, ShardInfo } from '@stock-trades/kcl';

export interface SampleGateDeps {
  /** The trade stream's shards, open and closed (ListShards). */
  readonly listShards: () => Promise<ShardInfo[]>;
  readonly log: Logger;
  /** Wall-clock ms: when the shard list was read, against when a sample reached Kinesis. */
  readonly now: () => number;
  /** Waits; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SampleGateSettings {
  /** The pipeline's window length; undefined: learned from the first sample let through. */
  readonly windowMs?: number;
  /** The trade stream's retention: a window older than that cannot hold a record it still keeps. */
  readonly retentionMs: number;
}

/** The shard list is read at most this often. */
const MIN_READ_INTERVAL_MS = 1000;
/** Kinesis's clock and ours may differ by this much: a list read this soon after a sample arrived may predate it. */
const CLOCK_MARGIN_MS = 1000;

export type RejectionCounts = Partial<Record<SampleRejection['reason'], number>>;

/**
 * Lets through only samples a consumer of this pipeline could have sent (see checkSample):
 * the rest are rejected, counted per reason, and logged — the first of each reason with
 * what is wrong, so a flood of forged samples is one line per kind, not a line each.
 */
export class SampleGate {
  private shards: Map<string, KnownShard> | undefined;
  /** When the shard list was last read (wall clock). */
  private readAt = Number.NEGATIVE_INFINITY;
  private windowLength: number | undefined;
  private readonly counts: RejectionCounts;

  constructor(
    private readonly settings: SampleGateSettings,
    private readonly deps: SampleGateDeps,
    restored: { windowMs?: number; rejected?: RejectionCounts } = {},
  ) {
    this.windowLength = settings.windowMs ?? restored.windowMs;
    this.counts = { ...restored.rejected };
  }

  /** The window length samples are held to (pinned, or learned from the first sample let through). */
  get windowMs(): number | undefined {
    return this.windowLength;
  }

  /** Samples rejected so far, per reason (kept with the checkpoint). */
  get rejected(): RejectionCounts {
    return { ...this.counts };
  }

  /**
   * True when the sample (which reached Kinesis at `arrivalMs`) may be merged; otherwise it
   * is counted (and the first of its kind logged).
   */
  async admit(sample: WindowSample, nowWallMs: number, sequenceNumber: string, arrivalMs: number): Promise<boolean> {
    const checks = () => ({
      windowMs: this.windowLength,
      oldestWindowMs: nowWallMs - this.settings.retentionMs,
      shards: this.shards,
    });
    if (!this.shards) await this.readShards();
    let rejection = checkSample(sample, checks());
    // A shard not in the list, or one that ended since, may be a reshard the list had not caught up with when it was
    // read: a list read before the sample arrived is read again (at most once a second, waiting for it), so a real
    // sample is never rejected for a stale list. A forgery costs a read only if it arrived after the last one.
    if (rejection?.reason === 'shard' && this.readAt <= arrivalMs + CLOCK_MARGIN_MS) {
      const wait = this.readAt + MIN_READ_INTERVAL_MS - this.deps.now();
      if (wait > 0) await (this.deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(wait);
      await this.readShards();
      rejection = checkSample(sample, checks());
    }
    if (!rejection) {
      if (this.windowLength === undefined) {
        this.windowLength = sample.windowEnd - sample.windowStart;
        this.deps.log.info(
          { windowMs: this.windowLength },
          'windows of this length, from the first sample (--window pins it)',
        );
      }
      return true;
    }
    const seen = this.counts[rejection.reason] ?? 0;
    this.counts[rejection.reason] = seen + 1;
    if (seen === 0) {
      this.deps.log.warn(
        {
          reason: rejection.reason,
          sampleShard: sample.shardId,
          window: new Date(sample.windowStart).toISOString(),
          sequenceNumber,
        },
        `rejected a sample on the stats stream: ${rejection.detail} (more of this kind are counted, not logged)`,
      );
    }
    return false;
  }

  private async readShards(): Promise<void> {
    this.readAt = this.deps.now();
    const shards = await this.deps.listShards();
    this.shards = new Map(
      shards.map((shard) => [
        shard.shardId,
        { ...shard.hashKeyRange, closed: shard.endingSequenceNumber !== undefined },
      ]),
    );
  }
}
