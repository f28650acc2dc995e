import { compareExtended, type ExtendedSequenceNumber } from '@stock-trades/kcl';
import { TradeIdSet } from './TradeIdSet.js';

interface WindowSeen {
  /** Per producer run (its producerId, or the trade's timestamp for trades that carry none): the ids counted. */
  readonly runs: Map<string, TradeIdSet>;
  /** The record processed just before the first one noted here: a replay from there rebuilds this window. */
  readonly resumeAfter: ExtendedSequenceNumber;
}

/**
 * The trades a shard has counted, per event-time window, for as long as another copy of
 * one could still arrive in range: a producer that retries a write whose answer was lost
 * stores the same trade twice, and the copy carries the same producer run and id. A
 * window is forgotten once the shard's records arrive more than `keepMs` after its end —
 * a copy arriving later would be out of range anyway (its timestamp too far behind).
 *
 * Nothing of it is saved with the checkpoint: the shard's checkpoint is held back to just
 * before the first record of the oldest window still kept (see `oldestResumePoint`), so
 * a new owner rebuilds it by re-reading those records (which the window marks skip).
 */
export class SeenTrades {
  private readonly windows = new Map<number, WindowSeen>();
  private ids = 0;

  constructor(
    private readonly windowMs: number,
    private readonly keepMs: number,
  ) {}

  /** The key that, with its id, tells a trade from a copy of it. */
  static runOf(trade: { readonly producerId?: string }, eventMs: number): string {
    return trade.producerId ?? `@${eventMs}`;
  }

  /**
   * Notes trade `id` of `run` in the window starting `windowStart`; `resumeAfter` is the
   * record processed before this one. False when it was noted before: a copy.
   */
  note(windowStart: number, run: string, id: number, resumeAfter: ExtendedSequenceNumber): boolean {
    let window = this.windows.get(windowStart);
    if (!window) {
      window = { runs: new Map(), resumeAfter };
      this.windows.set(windowStart, window);
    }
    let ids = window.runs.get(run);
    if (!ids) {
      ids = new TradeIdSet();
      window.runs.set(run, ids);
    }
    const added = ids.add(id);
    if (added) this.ids++;
    return added;
  }

  /** Forgets the windows that ended more than `keepMs` before `latestArrivalMs`. */
  prune(latestArrivalMs: number): void {
    for (const [start, window] of this.windows) {
      if (start + this.windowMs + this.keepMs >= latestArrivalMs) continue;
      for (const ids of window.runs.values()) this.ids -= ids.size;
      this.windows.delete(start);
    }
  }

  /** Where a replay must start to rebuild every window kept; undefined when none is. */
  oldestResumePoint(): ExtendedSequenceNumber | undefined {
    let oldest: ExtendedSequenceNumber | undefined;
    for (const { resumeAfter } of this.windows.values()) {
      if (!oldest || compareExtended(resumeAfter, oldest) < 0) oldest = resumeAfter;
    }
    return oldest;
  }

  /** Trade ids held, all windows together. */
  get heldIds(): number {
    return this.ids;
  }

  /** Windows held. */
  get heldWindows(): number {
    return this.windows.size;
  }
}
