import type { Logger } from '../../src/index.js';
import type { VirtualClock } from './VirtualClock.js';

interface Entry {
  readonly at: number;
  readonly who: string;
  readonly text: string;
  readonly fields?: object;
}

/** What happened in a run, in virtual time, for the failure message of a seed. */
export class Trace {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly clock: VirtualClock,
    /** Whether workers' debug messages go in too. */
    private readonly debug = false,
  ) {}

  add(who: string, text: string, fields?: object): void {
    this.entries.push({ at: this.clock.monotonicNow(), who, text, ...(fields ? { fields } : {}) });
  }

  /** A worker's log into the trace (info and up, unless debug). */
  loggerFor(who: string): Logger {
    const add = (fields: object, message: string) => this.add(who, message, fields);
    return { debug: this.debug ? add : () => {}, info: add, warn: add, error: add };
  }

  /** Every line as text, in a form that stays the same from one run of a scenario to the next. */
  lines(last = Number.POSITIVE_INFINITY): string[] {
    return this.entries.slice(-last).map(({ at, who, text, fields }) => {
      const detail = fields ? ` ${JSON.stringify(fields)}` : '';
      return `${(at / 1000).toFixed(3).padStart(9)}s ${who.padEnd(4)} ${text}${detail}`;
    });
  }
}
