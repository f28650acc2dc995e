import type { ActionRequest } from './InstructorActions.js';
import type { DashboardView, NarrationView } from './types.js';

/** How long a narration waits for what it announced before it says so. */
export const NARRATION_TIMEOUT_MS = 3 * 60_000;
/** How long "done" stays on screen. */
export const NARRATION_DONE_SHOWN_MS = 8000;

/** What the page showed when the action was done, and what the narration waits for. */
interface Story {
  readonly action: ActionRequest['action'];
  readonly startedAt: number;
  /** What happens next, said once when the action is done. */
  readonly text: string;
  /** Looks at the page's latest view: what happened, once it has; undefined while waiting. */
  readonly happened: (view: DashboardView, wallNow: number) => string | undefined;
  doneAt?: number;
  outcome?: string;
}

/** HH:MM:SS UTC, the page's one clock. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

function short(shardId: string): string {
  return shardId
    .replace('shardId-', '')
    .replace(/^0+(?=\d{4}$)/, '')
    .slice(-4);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The banner over the page: for each instructor action, what happens next and when
 * ("worker-2 killed: its 2 leases expire at 15:42:53 UTC, then a live worker takes them"),
 * then what did happen, read from the same view the page shows — or, after three minutes,
 * that it has not. Pure: views and times come in.
 */
export class Narrator {
  private story: Story | undefined;

  constructor(private readonly failoverMs: number) {}

  /** An action was done (`message`: what it did); `view` is the page as it was. */
  begin(request: ActionRequest, message: string, view: DashboardView, wallNow: number): void {
    this.story = { action: request.action, startedAt: wallNow, ...this.plan(request, message, view, wallNow) };
  }

  /** The banner for this view, if any (and marks the story done when it happened). */
  view(view: DashboardView, wallNow: number): NarrationView | null {
    const story = this.story;
    if (!story) return null;
    if (story.doneAt === undefined) {
      const outcome = story.happened(view, wallNow);
      if (outcome !== undefined) {
        story.doneAt = wallNow;
        story.outcome = outcome;
      } else if (wallNow - story.startedAt >= NARRATION_TIMEOUT_MS) {
        return {
          action: story.action,
          state: 'timed-out',
          text: story.text,
          outcome: `not seen within ${NARRATION_TIMEOUT_MS / 60_000} minutes: look at the events and the processes`,
          startedAt: new Date(story.startedAt).toISOString(),
          doneAt: null,
        };
      }
    }
    if (story.doneAt !== undefined && wallNow - story.doneAt > NARRATION_DONE_SHOWN_MS) {
      this.story = undefined;
      return null;
    }
    return {
      action: story.action,
      state: story.doneAt === undefined ? 'waiting' : 'done',
      text: story.text,
      outcome: story.outcome ?? null,
      startedAt: new Date(story.startedAt).toISOString(),
      doneAt: story.doneAt === undefined ? null : new Date(story.doneAt).toISOString(),
    };
  }

  private plan(
    request: ActionRequest,
    message: string,
    before: DashboardView,
    wallNow: number,
  ): Pick<Story, 'text' | 'happened'> {
    const held = (view: DashboardView, worker: string) =>
      view.leases.filter((lease) => lease.owner === worker && !lease.finished);
    // Done once the worker holds none of them and a live worker holds each (a released lease is free for a moment).
    const takenFrom = (shards: readonly string[], view: DashboardView, worker: string) => {
      if (held(view, worker).length > 0) return undefined;
      const leases = shards.map((shardId) => view.leases.find((lease) => lease.shardId === shardId));
      const taken = leases.every((lease) => !lease || lease.finished || (lease.owner && !lease.expired));
      if (!taken) return undefined;
      return (
        leases
          .filter((lease) => lease && !lease.finished)
          .map((lease) => `${lease?.owner} took ${short(lease?.shardId ?? '?')}`)
          .join(', ') || `${worker} held none`
      );
    };
    switch (request.action) {
      case 'kill-worker': {
        const leases = held(before, request.worker);
        const shards = leases.map((lease) => lease.shardId);
        // A lease expires failover time after its last renewal, as the page last saw it.
        const expiry = Math.max(...leases.map((lease) => wallNow + this.failoverMs - lease.counterAgeMs), wallNow);
        return {
          text:
            leases.length === 0
              ? `${request.worker} killed (SIGKILL): it held no lease, so nothing moves.`
              : `${request.worker} killed (SIGKILL): it checkpoints nothing and releases nothing. Its ${plural(leases.length, 'lease')} expire at ${clock(expiry)} (in ${Math.ceil((expiry - wallNow) / 1000)} s), then a live worker takes them.`,
          happened: (view) => takenFrom(shards, view, request.worker),
        };
      }
      case 'stop-worker': {
        const shards = held(before, request.worker).map((lease) => lease.shardId);
        return {
          text: `${request.worker} stopping cleanly: it checkpoints and releases its ${plural(shards.length, 'lease')} now; another worker takes each at once (no expiry to wait for).`,
          happened: (view) => takenFrom(shards, view, request.worker),
        };
      }
      case 'pause-worker': {
        const seconds = before.pauseSeconds ?? 60;
        const until = wallNow + seconds * 1000;
        const shards = held(before, request.worker).map((lease) => lease.shardId);
        return {
          text: `${request.worker} paused until ${clock(until)} (${seconds} s): it keeps its ${plural(shards.length, 'lease')} and renews them, but reads nothing, so the lag of ${shards.map(short).join(', ') || 'its shards'} grows; then it catches up.`,
          happened: (view, now) => {
            if (now < until) return undefined;
            const lags = view.leases
              .filter((lease) => shards.includes(lease.shardId))
              .map((lease) => lease.millisBehindLatest);
            return lags.every((lag) => lag !== null && lag < 1000)
              ? `caught up at ${clock(now)}: lag under 1 s again`
              : undefined;
          },
        };
      }
      case 'add-worker': {
        const name = /started (\S+)/.exec(message)?.[1] ?? 'the new worker';
        const open = before.shards.filter((shard) => shard.open).length;
        const workers = before.workers.filter((worker) => worker.renewing).length + 1;
        return {
          text: `${name} started: it takes a lease nobody holds, or steals one from the busiest worker each balancing round, until each of the ${workers} workers has about ${Math.floor(open / workers)}-${Math.ceil(open / workers)} of the ${open} leases.`,
          happened: (view, now) =>
            held(view, name).length > 0
              ? `${name} holds ${plural(held(view, name).length, 'lease')} at ${clock(now)}`
              : undefined,
        };
      }
      case 'reshard': {
        const target = Number(/→ (\d+)/.exec(message)?.[1] ?? Number.NaN);
        const verb = request.direction === 'double' ? 'splits each shard in two' : 'merges shards in pairs';
        return {
          text: `${message}: Kinesis ${verb}. The old shards close; their workers read them to the end, then the children are leased and read (children wait for their parents).`,
          happened: (view, now) => {
            const open = view.shards.filter((shard) => shard.open);
            const leased = open.every((shard) =>
              view.leases.some((lease) => lease.shardId === shard.shardId && lease.owner && !lease.expired),
            );
            // The closed ones read to their end (SHARD_END checkpointed): only then do their children read.
            const closed = view.shards.filter((shard) => !shard.open).map((shard) => shard.shardId);
            const finished = view.leases.every((lease) => !closed.includes(lease.shardId) || lease.finished);
            return open.length === target && leased && finished
              ? `${target} open shards, every one leased, the closed ones finished, at ${clock(now)}`
              : undefined;
          },
        };
      }
      case 'set-rate':
        return {
          text: `The producer restarts at ${request.rate} trades/s: the old one delivers what it sent, then stops.`,
          happened: (view, now) => {
            const accepted = view.flow.acceptedTradesPerSecond;
            if (accepted === null) return undefined;
            return Math.abs(accepted - request.rate) <= request.rate * 0.1
              ? `Kinesis takes ${accepted} trades/s at ${clock(now)}`
              : undefined;
          },
        };
      case 'inject-malformed': {
        // Counted in the windows open now or later (older windows leave the page as new ones come).
        const malformed = (view: DashboardView) =>
          view.windows
            .filter((window) => Date.parse(window.windowEnd) > wallNow)
            .reduce((sum, window) => sum + window.samples.reduce((total, sample) => total + sample.malformed, 0), 0);
        const start = malformed(before);
        return {
          text: `${message}: the workers count each as malformed in the window it arrived in, and skip it. Watch the malformed column.`,
          happened: (view, now) =>
            malformed(view) - start >= request.count
              ? `counted: ${malformed(view) - start} more malformed in the windows at ${clock(now)}`
              : undefined,
        };
      }
    }
  }
}
