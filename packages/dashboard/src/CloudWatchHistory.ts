import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { HISTORY_SPAN_MS } from './MetricsHistory.js';
import { HISTORY_METRICS, type HistoryMetricName, type HistoryView } from './types.js';

/** CloudWatch keeps Kinesis metrics per minute: a finer period returns nothing. */
export const CLOUDWATCH_PERIOD_MS = 60_000;

/** The stream-level names of the same metrics (collected for every stream, free). */
const STREAM_LEVEL: Record<HistoryMetricName, string> = {
  IncomingRecords: 'IncomingRecords',
  IncomingBytes: 'IncomingBytes',
  WriteProvisionedThroughputExceeded: 'WriteProvisionedThroughputExceeded',
  ReadProvisionedThroughputExceeded: 'ReadProvisionedThroughputExceeded',
  IteratorAgeMilliseconds: 'GetRecords.IteratorAgeMilliseconds',
};
/** The series that stands for the whole stream when CloudWatch has no shard-level metrics for it. */
export const WHOLE_STREAM = 'whole stream';

/**
 * `pnpm dashboard --target aws`: the same history, read from CloudWatch (GetMetricData on
 * AWS/Kinesis), per shard where the stream has enhanced shard-level monitoring, else per
 * stream, with a note saying how to turn it on. One call reads the lot (5 metrics for each
 * shard and the stream: under GetMetricData's 500 per call up to 99 shards).
 */
export class CloudWatchHistory {
  constructor(
    private readonly cloudwatch: Pick<CloudWatchClient, 'send'>,
    private readonly stream: string,
  ) {}

  async read(openShards: readonly string[], wallNow: number): Promise<HistoryView> {
    const end = Math.floor(wallNow / CLOUDWATCH_PERIOD_MS) * CLOUDWATCH_PERIOD_MS + CLOUDWATCH_PERIOD_MS;
    const start = end - HISTORY_SPAN_MS;
    const shards = openShards.slice(0, 99);
    const queries: MetricDataQuery[] = [];
    const ids = new Map<string, { name: HistoryMetricName; shardId: string }>();
    HISTORY_METRICS.forEach(({ name, statistic }, metricIndex) => {
      const query = (id: string, metricName: string, shardId?: string): MetricDataQuery => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Kinesis',
            MetricName: metricName,
            Dimensions: [
              { Name: 'StreamName', Value: this.stream },
              ...(shardId ? [{ Name: 'ShardId', Value: shardId }] : []),
            ],
          },
          Period: CLOUDWATCH_PERIOD_MS / 1000,
          Stat: statistic,
        },
        ReturnData: true,
      });
      shards.forEach((shardId, shardIndex) => {
        const id = `m${metricIndex}s${shardIndex}`;
        ids.set(id, { name, shardId });
        queries.push(query(id, name, shardId));
      });
      const id = `m${metricIndex}stream`;
      ids.set(id, { name, shardId: WHOLE_STREAM });
      queries.push(query(id, STREAM_LEVEL[name]));
    });
    const points = new Map<string, Map<number, number>>();
    let nextToken: string | undefined;
    do {
      const page: GetMetricDataCommandOutput = await this.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const series = points.get(result.Id ?? '') ?? new Map<number, number>();
        (result.Timestamps ?? []).forEach((at, index) => {
          const value = result.Values?.[index];
          if (value !== undefined) series.set(at.getTime(), value);
        });
        points.set(result.Id ?? '', series);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const times = Array.from(
      { length: HISTORY_SPAN_MS / CLOUDWATCH_PERIOD_MS },
      (_, i) => start + i * CLOUDWATCH_PERIOD_MS,
    );
    const perShard = [...ids].some(([id, { shardId }]) => shardId !== WHOLE_STREAM && (points.get(id)?.size ?? 0) > 0);
    const metrics = Object.fromEntries(HISTORY_METRICS.map(({ name }) => [name, {}])) as Record<
      HistoryMetricName,
      Record<string, Array<number | null>>
    >;
    for (const [id, { name, shardId }] of ids) {
      if (perShard === (shardId === WHOLE_STREAM)) continue;
      const series = points.get(id);
      // CloudWatch leaves out a minute with no data points: for a sum, nothing happened; for an age, nothing was read.
      metrics[name][shardId] = times.map((at) => series?.get(at) ?? (name === 'IteratorAgeMilliseconds' ? null : 0));
    }
    return {
      source: 'CloudWatch',
      periodSeconds: CLOUDWATCH_PERIOD_MS / 1000,
      times: times.map((at) => at / 1000),
      metrics,
      note: perShard
        ? null
        : `Per stream: ${this.stream} has no shard-level metrics. To see them per shard (charged per shard-metric), ` +
          `aws kinesis enable-enhanced-monitoring --stream-name ${this.stream} --shard-level-metrics ALL`,
    };
  }
}
