import { serializeTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import { compareExtended, type UserRecord } from '@stock-trades/kcl';
import { recordingCheckpointer } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';
import { StockTradeRecordProcessor, type WindowSample } from '../src/index.js';

const T0 = Date.UTC(2026, 10, 26, 10);

const record = (n: number, data: Uint8Array, arrivalMs = T0 + 1000): UserRecord => ({
  sequenceNumber: String(100 + n),
  subSequenceNumber: 0,
  partitionKey: 'k',
  data,
  aggregated: false,
  approximateArrivalTimestamp: new Date(arrivalMs),
});

function setup(options: { now?: () => number; applicationState?: string; failEmits?: number } = {}) {
  const emitted: WindowSample[] = [];
  let failEmits = options.failEmits ?? 0;
  const warnings: Array<{ fields: object; message: string }> = [];
  const processor = new StockTradeRecordProcessor(
    'shardId-000000000007',
    { windowMs: 10_000, latenessMs: 0, checkpointIntervalMs: 60_000, maxAheadMs: 300_000, maxBehindMs: 300_000 },
    {
      sink: {
        emit: async (samples) => {
          if (failEmits-- > 0) throw new Error('the stats stream could not be reached');
          emitted.push(...samples);
        },
      },
      log: { debug() {}, info() {}, warn: (fields, message) => void warnings.push({ fields, message }), error() {} },
      now: options.now ?? (() => T0),
    },
  );
  processor.initialize({
    shardId: 'shardId-000000000007',
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    applicationState: options.applicationState,
    hashKeyRange: undefined,
    parents: [],
  });
  return { processor, emitted, warnings };
}

describe('StockTradeRecordProcessor', () => {
  it('counts and logs a malformed record with its shard and sequence number, and carries on', async () => {
    const { processor, emitted, warnings } = setup();
    const { checkpointer, writes } = recordingCheckpointer();
    const trade = aTrade({ timestamp: new Date(T0 + 2000).toISOString() });
    const later = aTrade({ id: 4, timestamp: new Date(T0 + 12_000).toISOString() });

    await processor.processRecords({
      records: [
        record(1, Buffer.from('{"tickerSymbol":')),
        record(2, serializeTrade(trade)),
        record(3, serializeTrade(later), T0 + 12_100),
      ],
      millisBehindLatest: 1000,
      checkpointer,
    });

    expect(warnings).toEqual([
      {
        fields: { shardId: 'shardId-000000000007', sequenceNumber: '101', reason: expect.stringMatching(/not JSON/) },
        message: 'skipped malformed record',
      },
    ]);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.summary).toMatchObject({ trades: 1, malformed: 1 });
    // A fence write before the emission; then the checkpoint just before the first trade of the window that went
    // out: its trades are kept (a second copy of one may still come), and a new owner must read them again to know them.
    expect(writes.map((write) => write.position.sequenceNumber)).toEqual(['TRIM_HORIZON', '101']);
    // So the window's mark (102) is saved too: a replay skips what went out.
    expect(JSON.parse(writes[1]?.state ?? '{}')).toEqual({ v: 1, next: T0 + 10_000, marks: { [T0]: '102' } });
  });

  it('sends a window it could not send when kcl gives the batch again, counting each trade once', async () => {
    const { processor, emitted } = setup({ failEmits: 1 });
    const { checkpointer, writes } = recordingCheckpointer();
    const records = [
      record(1, serializeTrade(aTrade({ id: 1, timestamp: new Date(T0 + 1000).toISOString() }))),
      record(2, serializeTrade(aTrade({ id: 2, timestamp: new Date(T0 + 2000).toISOString() }))),
      record(3, serializeTrade(aTrade({ id: 3, timestamp: new Date(T0 + 11_000).toISOString() })), T0 + 11_100),
    ];

    await expect(processor.processRecords({ records, millisBehindLatest: 0, checkpointer })).rejects.toThrow(
      /could not be reached/,
    );
    // kcl's in-place retry: the same batch, from past what was checkpointed.
    const again = records.filter((one) => compareExtended(one, checkpointer.lastCheckpoint) > 0);
    await processor.processRecords({ records: again, millisBehindLatest: 0, checkpointer });
    await processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });

    expect(emitted.map((sample) => [sample.windowStart, sample.summary.trades, sample.summary.duplicates])).toEqual([
      [T0, 2, 0],
    ]);
    // Once it went out, it is checkpointed with its mark, as any window is.
    expect(JSON.parse(writes.at(-1)?.state ?? '{}')).toMatchObject({ next: T0 + 10_000, marks: { [T0]: '102' } });
  });

  it('checkpoints nothing past a window it could not send when it is stopped then', async () => {
    const { processor } = setup({ failEmits: 1 });
    const { checkpointer, writes } = recordingCheckpointer();
    const records = [
      record(1, serializeTrade(aTrade({ id: 1, timestamp: new Date(T0 + 1000).toISOString() }))),
      record(2, serializeTrade(aTrade({ id: 2, timestamp: new Date(T0 + 11_000).toISOString() })), T0 + 11_100),
    ];
    await expect(processor.processRecords({ records, millisBehindLatest: 0, checkpointer })).rejects.toThrow();

    await processor.shutdownRequested({ checkpointer });

    // Still before the window's first record, with no mark: the next owner reads it again and sends it.
    expect(writes.at(-1)?.position.sequenceNumber).toBe('TRIM_HORIZON');
    expect(JSON.parse(writes.at(-1)?.state ?? '{}')).toEqual({ v: 1, next: T0, emitted: false, marks: {} });
  });

  it('sends the last windows of a closed shard again when shardEnded is called again, the final sample once', async () => {
    const { processor, emitted } = setup({ failEmits: 1 });
    const { checkpointer } = recordingCheckpointer();
    await processor.processRecords({
      records: [
        record(1, serializeTrade(aTrade({ id: 1, timestamp: new Date(T0 + 1000).toISOString() }))),
        record(2, serializeTrade(aTrade({ id: 2, timestamp: new Date(T0 + 9000).toISOString() })), T0 + 9100),
      ],
      millisBehindLatest: 1000,
      checkpointer,
    });

    const end = { checkpointer, childShardIds: ['shardId-000000000008'] };
    await expect(processor.shardEnded(end)).rejects.toThrow(/could not be reached/);
    await processor.shardEnded(end);

    expect(emitted.map((sample) => [sample.windowStart, sample.summary.trades, sample.final])).toEqual([[T0, 2, true]]);
  });

  it('emits nothing when the fence write finds the lease gone', async () => {
    const { processor, emitted } = setup();
    const { checkpointer } = recordingCheckpointer();
    checkpointer.checkpoint = async () => {
      throw new Error('lease shardId-000000000007 was lost');
    };
    const trades = [
      aTrade({ timestamp: new Date(T0).toISOString() }),
      aTrade({ id: 5, timestamp: new Date(T0 + 11_000).toISOString() }),
    ];

    const run = processor.processRecords({
      records: trades.map((trade, index) => record(index, serializeTrade(trade), T0 + 11_100)),
      millisBehindLatest: 5,
      checkpointer,
    });

    await expect(run).rejects.toThrow(/was lost/);
    expect(emitted).toEqual([]);
  });

  it('counts a trade dated 2099 as out of range, logs it once with shard and sequence number, and replays it silently', async () => {
    const { processor, emitted, warnings } = setup();
    const { checkpointer } = recordingCheckpointer();
    const future = aTrade({ id: 9, timestamp: '2099-01-01T00:00:00.000Z' });
    const closing = aTrade({ id: 10, timestamp: new Date(T0 + 12_000).toISOString() });

    await processor.processRecords({
      records: [record(1, serializeTrade(future)), record(2, serializeTrade(closing), T0 + 12_100)],
      millisBehindLatest: 1000,
      checkpointer,
    });
    // A replay of the same record below its window's mark (a crash before the checkpoint moved) says nothing again.
    const replay = setup({ applicationState: JSON.stringify({ v: 1, next: T0 + 10_000, marks: { [T0]: '101' } }) });
    await replay.processor.processRecords({
      records: [record(1, serializeTrade(future))],
      millisBehindLatest: 1000,
      checkpointer: recordingCheckpointer().checkpointer,
    });

    expect(warnings).toEqual([
      {
        fields: {
          shardId: 'shardId-000000000007',
          sequenceNumber: '101',
          timestamp: '2099-01-01T00:00:00.000Z',
          arrival: new Date(T0 + 1000).toISOString(),
        },
        message: 'trade timestamp out of range: counted, not put in a window',
      },
    ]);
    expect(emitted.map((sample) => [sample.windowStart, sample.summary.trades, sample.summary.outOfRange])).toEqual([
      [T0, 0, 1],
    ]);
    expect(replay.warnings).toEqual([]);
  });

  it('saves where its windows start as soon as it knows, so the next holder of the lease owes them too', async () => {
    // Prepare: a quiet shard, caught up at T0 + 3 s; the lease moves before the first window closes.
    let now = T0 + 3000;
    const first = setup({ now: () => now });
    const { checkpointer, writes } = recordingCheckpointer();
    await first.processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });
    // Act: the next holder starts from what the lease holds, in the next window.
    now = T0 + 12_000;
    const second = setup({ now: () => now, applicationState: writes.at(-1)?.state });
    await second.processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });
    // Assess: the first window, quiet, went out all the same.
    expect(writes).toHaveLength(3); // the start, then the fence and the checkpoint of the first window
    expect(JSON.parse(writes[0]?.state ?? '{}')).toMatchObject({ next: T0 });
    expect(second.emitted.map((sample) => [sample.windowStart, sample.summary.trades])).toEqual([[T0, 0]]);
  });
});
