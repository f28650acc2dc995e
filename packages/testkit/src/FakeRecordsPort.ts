import { parseTrade } from '@stock-trades/core';
import { deaggregate, partitionKeyHash } from '@stock-trades/kpl';
import {
  type EntryOutcome,
  type RecordEntry,
  type RecordReceipt,
  type RecordsPort,
  RetryableWriteError,
  type ShardRange,
} from '@stock-trades/writer';

/** What the fake does with one call: a script of faults, then success. */
export type CallFault =
  | { kind: 'throttle' }
  | { kind: 'fatal'; error: Error }
  /** Fail the entries at these indexes of the call with ProvisionedThroughputExceeded. */
  | { kind: 'failEntries'; indexes: number[] }
  /** Fail every entry carrying a trade id in the set, every time (a record that never gets through). */
  | { kind: 'failIds'; ids: Set<number> }
  /** Store every entry, then lose the answer (a timeout or reset after Kinesis took the call): a retry stores it again. */
  | { kind: 'timeoutAfterStore' }
  /** Time out without storing anything (the caller cannot tell this from the one above). */
  | { kind: 'timeout' };

const MAX_HASH = 2n ** 128n - 1n;

/**
 * An in-memory Kinesis stream: routes each record by its explicit hash key or its
 * partition key's MD5 to the open shard owning it, stores it there, and follows a script
 * of faults, one per call. `reshard` closes every shard and opens new ones, as
 * UpdateShardCount does; `consumedIds` reads the stream back the way a KCL consumer does.
 */
export class FakeRecordsPort implements RecordsPort {
  readonly stored: Array<RecordReceipt & { entry: RecordEntry }> = [];
  readonly calls: RecordEntry[][] = [];
  private shards: ShardRange[] = [];
  private sequence = 0;
  private generation = 0;

  constructor(
    private readonly faults: CallFault[] = [],
    private readonly always?: CallFault,
    shardCount = 4,
  ) {
    this.reshard(shardCount);
  }

  reshard(count: number): void {
    this.shards = this.shards.map((shard) => ({ ...shard, open: false }));
    const width = (MAX_HASH + 1n) / BigInt(count);
    for (let index = 0; index < count; index++) {
      const start = width * BigInt(index);
      const end = index === count - 1 ? MAX_HASH : start + width - 1n;
      const id = this.generation * 100 + index;
      this.shards.push({
        shardId: `shardId-${String(id).padStart(12, '0')}`,
        startingHashKey: `${start}`,
        endingHashKey: `${end}`,
        open: true,
      });
    }
    this.generation++;
  }

  async listShards(): Promise<ShardRange[]> {
    return this.shards.map((shard) => ({ ...shard }));
  }

  async putRecords(_stream: string, entries: readonly RecordEntry[]): Promise<EntryOutcome[]> {
    this.calls.push([...entries]);
    const fault = this.faults.shift() ?? this.always;
    if (fault?.kind === 'throttle') throw new RetryableWriteError('Rate exceeded for stream');
    if (fault?.kind === 'fatal') throw fault.error;
    if (fault?.kind === 'timeoutAfterStore' || fault?.kind === 'timeout') {
      if (fault.kind === 'timeoutAfterStore') for (const entry of entries) this.store(entry);
      throw new RetryableWriteError('a request has exceeded the 30000 ms requestTimeout', undefined, {
        outcomeUnknown: true,
      });
    }
    return entries.map((entry, index): EntryOutcome => {
      const fails =
        (fault?.kind === 'failEntries' && fault.indexes.includes(index)) ||
        (fault?.kind === 'failIds' && tradeIds(entry).some((id) => fault.ids.has(id)));
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

  /** Trade ids in the order they were acknowledged (every trade of every record). */
  storedIds(): number[] {
    return this.stored.flatMap(({ entry }) => tradeIds(entry));
  }

  /** Trade ids a KCL consumer would get: inner records outside their shard's range are dropped. */
  consumedIds(): number[] {
    return this.stored.flatMap(({ entry, shardId }) => {
      const shard = this.shards.find((candidate) => candidate.shardId === shardId);
      const { records } = deaggregate(
        [{ sequenceNumber: '1', partitionKey: entry.partitionKey, data: entry.data }],
        shard,
      );
      return records.map((record) => idOf(record.data));
    });
  }

  private store(entry: RecordEntry): RecordReceipt {
    const hash =
      entry.explicitHashKey !== undefined ? BigInt(entry.explicitHashKey) : partitionKeyHash(entry.partitionKey);
    const shard = this.shards.find(
      (candidate) =>
        candidate.open && hash >= BigInt(candidate.startingHashKey) && hash <= BigInt(candidate.endingHashKey),
    );
    const receipt = { shardId: shard?.shardId ?? 'none', sequenceNumber: String(++this.sequence) };
    this.stored.push({ ...receipt, entry });
    return receipt;
  }
}

function tradeIds(entry: RecordEntry): number[] {
  return deaggregate([{ sequenceNumber: '1', partitionKey: entry.partitionKey, data: entry.data }]).records.map(
    (record) => idOf(record.data),
  );
}

function idOf(data: Uint8Array): number {
  const parsed = parseTrade(data);
  if (!parsed.ok) throw parsed.error;
  return parsed.trade.id;
}
