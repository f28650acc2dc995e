import { sampleToJson, type WindowSample } from '@stock-trades/core';
import { compareExtended, type UserRecord } from '@stock-trades/kcl';
import { recordingCheckpointer } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';
import { AggregatorRecordProcessor, MAX_HASH_KEY, type WindowResult } from '../src/index.js';
import { SampleGate } from '../src/SampleGate.js';

const W0 = Date.UTC(2026, 10, 26, 10);
const SHARD = 'shardId-000000000000';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The one shard of the trade stream, the whole key space: its sample alone completes a window. */
const sampleOf = (windowStart: number, trades: number): WindowSample => ({
  shardId: SHARD,
  windowStart,
  windowEnd: windowStart + 10_000,
  firstSequenceNumber: trades > 0 ? '100' : null,
  lastSequenceNumber: trades > 0 ? '200' : null,
  late: false,
  final: false,
  childShardIds: [],
  hashKeyRange: { startingHashKey: '0', endingHashKey: `${MAX_HASH_KEY}` },
  summary: {
    trades,
    malformed: 0,
    outOfRange: 0,
    duplicates: 0,
    perTicker: trades > 0 ? { AMZN: { buys: trades, sells: 0, boughtQuantity: trades, soldQuantity: 0 } } : {},
    largestSell: null,
  },
});

const record = (n: number, sample: WindowSample): UserRecord => ({
  sequenceNumber: String(1000 + n),
  subSequenceNumber: 0,
  partitionKey: sample.shardId,
  data: Buffer.from(JSON.stringify(sampleToJson(sample))),
  aggregated: false,
  approximateArrivalTimestamp: new Date(sample.windowEnd + 1000),
});

function setup(failWrites: number) {
  const written: WindowResult[] = [];
  const said: string[] = [];
  let failures = failWrites;
  const processor = new AggregatorRecordProcessor(
    'shardId-000000000000',
    { graceMs: 30_000, retentionMs: 600_000, maxAheadMs: 300_000 },
    {
      sink: {
        emit: async (results) => {
          if (failures-- > 0) throw new Error('the results table could not be written');
          written.push(...results);
        },
      },
      log: { ...silent, info: (_fields, message) => void said.push(message) },
      now: () => W0 + 12_000,
      gate: (restored) =>
        new SampleGate(
          { retentionMs: 86_400_000 },
          {
            listShards: async () => [
              {
                shardId: SHARD,
                parentShardIds: [],
                hashKeyRange: { startingHashKey: '0', endingHashKey: `${MAX_HASH_KEY}` },
              },
            ],
            log: silent,
            now: () => W0 + 12_000,
          },
          restored,
        ),
    },
  );
  processor.initialize({
    shardId: SHARD,
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    applicationState: undefined,
    hashKeyRange: undefined,
    parents: [],
  });
  const { checkpointer, writes } = recordingCheckpointer();
  return { processor, written, writes, checkpointer, said };
}

describe('AggregatorRecordProcessor', () => {
  it('writes a result it could not write when kcl gives the batch again, adding each sample once', async () => {
    const { processor, written, checkpointer, said } = setup(1);
    const records = [record(1, sampleOf(W0, 5)), record(2, sampleOf(W0 - 10_000, 3))];

    await expect(processor.processRecords({ records, millisBehindLatest: 0, checkpointer })).rejects.toThrow(
      /could not be written/,
    );
    // kcl's in-place retry: the same batch, from past what was checkpointed.
    const again = records.filter((one) => compareExtended(one, checkpointer.lastCheckpoint) > 0);
    await processor.processRecords({ records: again, millisBehindLatest: 0, checkpointer });
    await processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });
    await processor.shutdownRequested({ checkpointer });

    expect(written.map((result) => [result.windowStart, result.revision, result.trades, result.complete])).toEqual([
      [new Date(W0 - 10_000).toISOString(), 1, 3, true],
      [new Date(W0).toISOString(), 1, 5, true],
    ]);
    // Given again, the samples were not taken for copies the stats stream stored twice.
    expect(said.filter((message) => message.includes('copies'))).toEqual([]);
  });

  it('saves no result as shown that it could not write, when it is stopped then', async () => {
    const { processor, writes, checkpointer } = setup(1);
    const records = [record(1, sampleOf(W0, 5))];
    await expect(processor.processRecords({ records, millisBehindLatest: 0, checkpointer })).rejects.toThrow();

    await processor.shutdownRequested({ checkpointer });

    // Before the window's sample, and no revision of it shown: a restart reads the sample again and writes it.
    expect(writes.at(-1)?.position.sequenceNumber).toBe('TRIM_HORIZON');
    expect(JSON.parse(writes.at(-1)?.state ?? '{}')).toMatchObject({ emitted: {} });
  });
});
