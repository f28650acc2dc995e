import { randomBytes } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from '@stock-trades/aws';
import { type Clock, systemClock } from '@stock-trades/kcl';
import { CLOUDWATCH_PERIOD_MS, CloudWatchHistory } from './CloudWatchHistory.js';
import { DashboardModel } from './DashboardModel.js';
import { DashboardServer } from './DashboardServer.js';
import type { Fleet } from './Fleet.js';
import { type ActionRequest, InstructorActions } from './InstructorActions.js';
import { Narrator } from './Narrator.js';
import { PipelineReader } from './PipelineReader.js';
import { TradeLogTail } from './TradeLogTail.js';

export interface DashboardOptions {
  readonly target: 'local' | 'aws';
  readonly port: number;
  readonly stream: string;
  readonly statsStream: string;
  /** The consumers' lease table (their application name). */
  readonly consumerTable: string;
  readonly aggregatorTable: string;
  /** Where `pnpm aggregator --table` writes its results. */
  readonly resultsTable: string;
  /** As the workers' --failover: a lease whose counter stands still this long is shown expired. */
  readonly failoverMs: number;
  /** How often the lease tables are read (and the view is pushed): about once a second. */
  readonly pollMs?: number;
  /** A folder of producer trade logs (`*.jsonl`): each window then shows what Kinesis acknowledged beside its count. */
  readonly tradeLogs?: string;
}

export interface DashboardDeps {
  readonly clients: AwsClients;
  /** The processes instructor actions drive (embedded target only); without one, the page offers none. */
  readonly fleet?: Fleet;
  /** On --target aws: where the history comes from (default: a CloudWatch client from the SDK's environment). */
  readonly cloudWatch?: CloudWatchHistory;
  readonly clock?: Clock;
}

export interface RunningDashboard {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `pnpm dashboard`, as a function: reads the pipeline about once a second (leases,
 * samples; shards and results every other time), folds it into the model, and serves the
 * page and its live view on 127.0.0.1. A read that fails shows the page "disconnected";
 * the next that works shows it connected again.
 *
 * @example
 * const dashboard = await startDashboard(
 *   { target: 'local', port: 4600, stream: 'StockTradeStream', statsStream: 'StockTradeStatsStream',
 *     consumerTable: 'StockTradesProcessor', aggregatorTable: 'StockTradesAggregator',
 *     resultsTable: 'StockTradeStats', failoverMs: 10_000 },
 *   { clients },
 * );
 * console.log(`open ${dashboard.url}`);
 */
export async function startDashboard(options: DashboardOptions, deps: DashboardDeps): Promise<RunningDashboard> {
  const clock = deps.clock ?? systemClock;
  const pollMs = options.pollMs ?? 1000;
  const actions =
    options.target === 'local' && deps.fleet
      ? new InstructorActions(deps.fleet, deps.clients, options.stream)
      : undefined;
  const model = new DashboardModel({
    target: options.target,
    stream: options.stream,
    statsStream: options.statsStream,
    failoverMs: options.failoverMs,
    actions: actions !== undefined,
    pauseSeconds: deps.fleet?.pauseForSeconds,
  });
  const reader = new PipelineReader(
    deps.clients,
    {
      stream: options.stream,
      statsStream: options.statsStream,
      consumerTable: options.consumerTable,
      aggregatorTable: options.aggregatorTable,
      resultsTable: options.resultsTable,
      lookBackMs: 10 * 60_000,
    },
    clock,
  );
  const narrator = new Narrator(options.failoverMs);
  const tradeLogs = options.tradeLogs === undefined ? undefined : new TradeLogTail(options.tradeLogs);
  const view = () => {
    const now = clock.wallNow();
    const current = model.view(now, deps.fleet?.processes ?? []);
    const windows = tradeLogs
      ? current.windows.map((window) => ({
          ...window,
          acknowledged: tradeLogs.counts(Date.parse(window.windowStart), Date.parse(window.windowEnd)),
        }))
      : current.windows;
    return { ...current, windows, narration: narrator.view(current, now) };
  };
  const server = new DashboardServer({
    port: options.port,
    token: randomBytes(16).toString('hex'),
    target: options.target,
    view,
    // Each action done is narrated: what happens next, then what did.
    actions: actions && {
      run: async (request: ActionRequest) => {
        const message = await actions.run(request);
        narrator.begin(request, message, view(), clock.wallNow());
        return message;
      },
    },
    pushIntervalMs: pollMs,
  });
  const url = await server.start();
  const stopping = new AbortController();
  const ownCloudWatch = options.target === 'aws' && !deps.cloudWatch ? new CloudWatchClient({}) : undefined;
  const cloudWatch =
    deps.cloudWatch ?? (ownCloudWatch ? new CloudWatchHistory(ownCloudWatch, options.stream) : undefined);
  let cloudWatchReadAt = Number.NEGATIVE_INFINITY;
  const loop = (async () => {
    for (let round = 0; !stopping.signal.aborted; round++) {
      try {
        const readStartedAt = clock.monotonicNow();
        const [leases, aggregatorLeases, samples, traffic] = await Promise.all([
          reader.consumerLeaseTable(),
          reader.aggregatorLeaseTable(),
          reader.samples(),
          reader.shardTraffic(),
        ]);
        if (traffic) model.observeShardTraffic(traffic, clock.wallNow());
        const readEndedAt = clock.monotonicNow();
        model.observeLeases(leases, readEndedAt, clock.wallNow(), readStartedAt);
        model.observeAggregatorLeases(aggregatorLeases, readEndedAt, clock.wallNow(), readStartedAt);
        model.observeSamples(samples, clock.wallNow());
        await tradeLogs?.read(clock.wallNow());
        model.observeStatsShards(reader.statsOpenShards);
        if (round % 2 === 0) {
          model.observeShards(await reader.shards(), clock.wallNow());
          model.observeResults(await reader.results(), clock.wallNow());
        }
        // Consumers are registered seldom: listed every fourth round, and at once when the stack counts reads through
        // one the last listing did not show ACTIVE (a new fan-out application); a failure is only a note on the panel.
        if (round % 4 === 0 || model.streamConsumersBehind()) {
          model.observeStreamConsumers(
            await reader
              .streamConsumers()
              .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
          );
        }
        model.connected();
      } catch (error) {
        model.disconnected(error instanceof Error ? error.message : String(error));
      }
      // CloudWatch has a new point a minute: read it as often, apart from the rest (its failure is only a note).
      const due = cloudWatch && clock.monotonicNow() - cloudWatchReadAt >= CLOUDWATCH_PERIOD_MS;
      const open = due ? model.view(clock.wallNow()).shards.filter((shard) => shard.open) : [];
      if (cloudWatch && open.length > 0) {
        cloudWatchReadAt = clock.monotonicNow();
        void cloudWatch
          .read(
            open.map((shard) => shard.shardId),
            clock.wallNow(),
          )
          .then(
            (history) => model.observeCloudWatch(history),
            (error: unknown) => model.observeCloudWatch(error instanceof Error ? error : new Error(String(error))),
          );
      }
      await clock.sleep(pollMs, stopping.signal);
    }
  })();
  return {
    url,
    stop: async () => {
      stopping.abort();
      await loop;
      await server.stop();
      ownCloudWatch?.destroy();
    },
  };
}
