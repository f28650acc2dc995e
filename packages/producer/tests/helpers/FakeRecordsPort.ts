import { parseTrade } from '@stock-trades/core';
import { RetryableWriteError } from '../../src/errors.js';
import type { EntryOutcome, RecordEntry, RecordReceipt, RecordsPort } from '../../src/index.js';

/** What the fake does with one call: a script of faults, then success. */
export type CallFault =
  | { kind: 'throttle' }
  | { kind: 'fatal'; error: Error }
  /** Fail the entries at these indexes of the call with ProvisionedThroughputExceeded. */
  | { kind: 'failEntries'; indexes: number[] }
  /** Fail every entry whose trade id is in the set, every time (a record that can never get through). */
  | { kind: 'failIds'; ids: Set<number> };

/**
 * An in-memory Kinesis: acknowledges entries into `stored` (in order, like a shard)
 * and follows a script of faults, one per call, so tests can see exactly what was
 * sent, how often, and what was acknowledged.
 */
export class FakeRecordsPort implements RecordsPort {
  readonly stored: Array<RecordReceipt & { entry: RecordEntry }> = [];
  readonly calls: RecordEntry[][] = [];
  private sequence = 0;

  constructor(
    private readonly faults: CallFault[] = [],
    private readonly always?: CallFault,
  ) {}

  async putRecords(_stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]> {
    this.calls.push([...entries]);
    const fault = this.faults.shift() ?? this.always;
    if (fault?.kind === 'throttle') throw new RetryableWriteError('Rate exceeded for stream');
    if (fault?.kind === 'fatal') throw fault.error;
    return entries.map((entry, index): EntryOutcome => {
      const id = tradeId(entry);
      const fails =
        (fault?.kind === 'failEntries' && fault.indexes.includes(index)) ||
        (fault?.kind === 'failIds' && fault.ids.has(id));
      if (fails)
        return { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded' };
      return { ok: true, ...this.store(entry) };
    });
  }

  async putRecord(stream: string, entry: RecordEntry): Promise<RecordReceipt> {
    const [outcome] = await this.putRecords(stream, [entry]);
    if (!outcome?.ok) throw new RetryableWriteError('Rate exceeded');
    return outcome;
  }

  /** Trade ids in the order they were acknowledged. */
  storedIds(): number[] {
    return this.stored.map(({ entry }) => tradeId(entry));
  }

  private store(entry: RecordEntry): RecordReceipt {
    const receipt = { shardId: `shardId-00000000000${tradeId(entry) % 4}`, sequenceNumber: String(++this.sequence) };
    this.stored.push({ ...receipt, entry });
    return receipt;
  }
}

function tradeId(entry: RecordEntry): number {
  const parsed = parseTrade(entry.data);
  if (!parsed.ok) throw parsed.error;
  return parsed.trade.id;
}
