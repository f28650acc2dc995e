/** Every name of an AWS resource the project uses, defined once. */
export const STREAM_NAME = 'StockTradeStream';
/** The single-shard stream the consumers' per-window samples go to (second stage). */
export const STATS_STREAM_NAME = 'StockTradeStatsStream';
/** The consumer's application name, and so its lease table. */
export const CONSUMER_APPLICATION = 'StockTradesProcessor';
/** The second-stage aggregator's application name, and so its lease table. */
export const AGGREGATOR_APPLICATION = 'StockTradesAggregator';
/** The second application of the two-applications exercise (README exercise 10), and so its lease table. */
export const AUDIT_APPLICATION = 'StockTradesAudit';
/** Where the aggregator writes one item per window with `--table`. */
export const STATS_TABLE_NAME = 'StockTradeStats';
/** The stats table's partition key: the window's start, ISO-8601. */
export const STATS_TABLE_KEY = 'windowStart';

export const ResourceKind = {
  STREAM: 'stream',
  TABLE: 'table',
} as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];

export interface ProjectResource {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Which stage creates it, for the teardown's listing. */
  readonly createdBy: string;
  /** Made only by an exercise: teardown deletes it where it exists, and does not list it where it does not. */
  readonly optional?: boolean;
}

/**
 * Everything the project can create, in one list: teardown deletes exactly these and
 * nothing else, and infra/ is checked against them. A new stage adds its resources here.
 */
export const PROJECT_RESOURCES: readonly ProjectResource[] = [
  { kind: ResourceKind.STREAM, name: STREAM_NAME, createdBy: 'pnpm create-stream' },
  { kind: ResourceKind.STREAM, name: STATS_STREAM_NAME, createdBy: 'pnpm create-stream' },
  { kind: ResourceKind.TABLE, name: CONSUMER_APPLICATION, createdBy: 'pnpm consumer (lease table)' },
  { kind: ResourceKind.TABLE, name: AGGREGATOR_APPLICATION, createdBy: 'pnpm aggregator (lease table)' },
  { kind: ResourceKind.TABLE, name: STATS_TABLE_NAME, createdBy: 'pnpm create-stream' },
  {
    kind: ResourceKind.TABLE,
    name: AUDIT_APPLICATION,
    createdBy: `pnpm consumer --application-name ${AUDIT_APPLICATION} (exercise 10's lease table)`,
    optional: true,
  },
];
