import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** No window older than this is asked about (the page shows the last few). */
const KEPT_MS = 24 * 3_600_000;

interface FileState {
  offset: number;
  /** A line not yet ended by a newline: the producer is writing it. */
  partial: string;
  /** Second (event time, s since the epoch) → trades acknowledged / whose answer was lost. */
  readonly acknowledged: Map<number, number>;
  readonly unknown: Map<number, number>;
}

export interface AcknowledgedCounts {
  /** Trades Kinesis acknowledged with event times in the window, as the producers' trade logs say. */
  readonly acknowledged: number;
  /** Trades whose answer was lost (Kinesis may or may not have them). */
  readonly unknown: number;
}

/**
 * What the producers say they delivered, for the page's "acknowledged by Kinesis / counted"
 * per window: follows every trade log (`*.jsonl`) in a folder as the producers append to it
 * (`pnpm demo` gives each producer run one there), and counts per second of event time the
 * trades acknowledged and those whose answer was lost. Lines it cannot read are skipped.
 */
export class TradeLogTail {
  private readonly files = new Map<string, FileState>();
  private skipped = 0;

  constructor(private readonly folder: string) {}

  /** Reads what was appended since the last call. */
  async read(wallNow: number): Promise<void> {
    const names = (await readdir(this.folder).catch(() => [] as string[])).filter((name) => name.endsWith('.jsonl'));
    for (const name of names.sort()) await this.readFile(join(this.folder, name));
    const oldest = Math.floor((wallNow - KEPT_MS) / 1000);
    for (const state of this.files.values()) {
      for (const counts of [state.acknowledged, state.unknown]) {
        for (const second of counts.keys()) if (second < oldest) counts.delete(second);
      }
    }
  }

  /** Lines that were not a trade log's (counted, skipped). */
  get skippedLines(): number {
    return this.skipped;
  }

  /** The trades with event times in [start, end); null if the window does not fall on whole seconds. */
  counts(startMs: number, endMs: number): AcknowledgedCounts | null {
    if (startMs % 1000 !== 0 || endMs % 1000 !== 0) return null;
    let acknowledged = 0;
    let unknown = 0;
    for (const state of this.files.values()) {
      for (let second = startMs / 1000; second < endMs / 1000; second++) {
        acknowledged += state.acknowledged.get(second) ?? 0;
        unknown += state.unknown.get(second) ?? 0;
      }
    }
    return { acknowledged, unknown };
  }

  private async readFile(path: string): Promise<void> {
    let state = this.files.get(path);
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined) return;
    // A log written again from the start (a producer run reusing its name): count it again from the start.
    if (!state || size < state.offset) {
      state = { offset: 0, partial: '', acknowledged: new Map(), unknown: new Map() };
      this.files.set(path, state);
    }
    if (size === state.offset) return;
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(size - state.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, state.offset);
      state.offset += bytesRead;
      const lines = (state.partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      state.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.count(state, line);
    } finally {
      await handle.close();
    }
  }

  private count(state: FileState, line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.skipped++;
      return;
    }
    const entry = parsed as { status?: unknown; trade?: { timestamp?: unknown } };
    const at = typeof entry.trade?.timestamp === 'string' ? Date.parse(entry.trade.timestamp) : Number.NaN;
    const counts =
      entry.status === 'acknowledged' ? state.acknowledged : entry.status === 'unknown' ? state.unknown : undefined;
    if (Number.isNaN(at) || (!counts && entry.status !== 'not-delivered')) {
      this.skipped++;
      return;
    }
    if (!counts) return; // not delivered: Kinesis has no copy, nothing to count
    const second = Math.floor(at / 1000);
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
}
