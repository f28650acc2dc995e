import {
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { CLOUDWATCH_PERIOD_MS, CloudWatchHistory, WHOLE_STREAM } from '../src/CloudWatchHistory.js';
import { HISTORY_SPAN_MS } from '../src/MetricsHistory.js';

const MINUTE = CLOUDWATCH_PERIOD_MS;
const NOW = 1_800_000_000_000 + 30_000; // half a minute into a minute

/** A CloudWatch that answers each query from `data` (query → [minute index from the start, value]), in pages of 2. */
function fakeCloudWatch(data: (query: MetricDataQuery) => Array<[number, number]>) {
  const calls: GetMetricDataCommand['input'][] = [];
  return {
    calls,
    send: async (command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput> => {
      expect(command).toBeInstanceOf(GetMetricDataCommand);
      calls.push(command.input);
      const start = command.input.StartTime?.getTime() ?? 0;
      const queries = command.input.MetricDataQueries ?? [];
      const from = Number(command.input.NextToken ?? 0);
      const page = queries.slice(from, from + 2);
      return {
        $metadata: {},
        MetricDataResults: page.map((query) => {
          const points = data(query);
          return {
            Id: query.Id,
            Timestamps: points.map(([minute]) => new Date(start + minute * MINUTE)),
            Values: points.map(([, value]) => value),
          };
        }),
        NextToken: from + 2 < queries.length ? String(from + 2) : undefined,
      };
    },
  };
}

const dimension = (query: MetricDataQuery, name: string) =>
  query.MetricStat?.Metric?.Dimensions?.find((entry) => entry.Name === name)?.Value;

describe('CloudWatchHistory', () => {
  it('asks AWS/Kinesis for each metric per shard, per minute, over the last 15 minutes, and reads every page', async () => {
    const cloudwatch = fakeCloudWatch((query) =>
      dimension(query, 'ShardId') === 'shardId-000000000001' &&
      query.MetricStat?.Metric?.MetricName === 'IncomingRecords'
        ? [
            [13, 6000],
            [14, 1200],
          ]
        : dimension(query, 'ShardId') && query.MetricStat?.Metric?.MetricName === 'IteratorAgeMilliseconds'
          ? [[14, 850]]
          : [],
    );
    const view = await new CloudWatchHistory(cloudwatch, 'Trades').read(
      ['shardId-000000000000', 'shardId-000000000001'],
      NOW,
    );
    const [first] = cloudwatch.calls;
    // Up to the end of the current minute, 15 minutes back.
    expect(first?.EndTime?.getTime()).toBe(Math.ceil(NOW / MINUTE) * MINUTE);
    expect((first?.EndTime?.getTime() ?? 0) - (first?.StartTime?.getTime() ?? 0)).toBe(HISTORY_SPAN_MS);
    const queries = first?.MetricDataQueries ?? [];
    // Five metrics, for each of two shards and for the stream.
    expect(queries).toHaveLength(15);
    expect(new Set(queries.map((query) => query.MetricStat?.Metric?.Namespace))).toEqual(new Set(['AWS/Kinesis']));
    expect(new Set(queries.map((query) => query.MetricStat?.Period))).toEqual(new Set([60]));
    expect(new Set(queries.map((query) => dimension(query, 'StreamName')))).toEqual(new Set(['Trades']));
    const stat = (name: string) =>
      queries.find((query) => query.MetricStat?.Metric?.MetricName === name && dimension(query, 'ShardId'))?.MetricStat
        ?.Stat;
    expect(stat('IncomingBytes')).toBe('Sum');
    expect(stat('IteratorAgeMilliseconds')).toBe('Maximum');
    // The stream-level lag has its own name.
    expect(
      queries.filter((query) => !dimension(query, 'ShardId')).map((query) => query.MetricStat?.Metric?.MetricName),
    ).toContain('GetRecords.IteratorAgeMilliseconds');
    expect(cloudwatch.calls).toHaveLength(8); // pages of two

    expect(view.source).toBe('CloudWatch');
    expect(view.periodSeconds).toBe(60);
    expect(view.times).toHaveLength(15);
    expect(view.note).toBeNull();
    expect(Object.keys(view.metrics.IncomingRecords)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    // A minute CloudWatch left out had no records in it; an age nobody reported is unknown.
    expect(view.metrics.IncomingRecords['shardId-000000000001']?.slice(-3)).toEqual([0, 6000, 1200]);
    expect(view.metrics.IteratorAgeMilliseconds['shardId-000000000000']?.slice(-2)).toEqual([null, 850]);
  });

  it('falls back to the whole stream, and says how to turn on shard-level metrics, when the shards have none', async () => {
    const cloudwatch = fakeCloudWatch((query) => (dimension(query, 'ShardId') ? [] : [[14, 77]]));
    const view = await new CloudWatchHistory(cloudwatch, 'Trades').read(['shardId-000000000000'], NOW);
    expect(Object.keys(view.metrics.WriteProvisionedThroughputExceeded)).toEqual([WHOLE_STREAM]);
    expect(view.metrics.IteratorAgeMilliseconds[WHOLE_STREAM]?.at(-1)).toBe(77);
    expect(view.note).toMatch(/enable-enhanced-monitoring --stream-name Trades --shard-level-metrics ALL/);
  });
});
