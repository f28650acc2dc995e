export {
  type CostEstimate,
  estimateKinesisCost,
  formatUsd,
  KINESIS_LIST_PRICES,
  PUT_PAYLOAD_UNIT_BYTES,
  putPayloadUnits,
} from './awsCost.js';
export {
  checkSample,
  type KnownShard,
  type SampleChecks,
  type SampleRejection,
  summaryProblem,
} from './checkSample.js';
export { DASHBOARD_PORT, LOCAL_DYNAMODB_PORT, LOCAL_HOST, LOCAL_KINESIS_PORT } from './constants.js';
export { CoreError, InvalidOptionError, MalformedTradeError } from './errors.js';
export {
  classifyEventTime,
  DEFAULT_EVENT_TIME_BOUNDS,
  EventTime,
  type EventTimeBounds,
} from './eventTimeBounds.js';
export { mergeSummaries } from './mergeSummaries.js';
export {
  AGGREGATOR_APPLICATION,
  AUDIT_APPLICATION,
  CONSUMER_APPLICATION,
  PROJECT_RESOURCES,
  type ProjectResource,
  ResourceKind,
  STATS_STREAM_NAME,
  STATS_TABLE_KEY,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from './names.js';
export { type DurationBounds, formatDuration, MAX_TIMER_MS, parseDuration } from './parseDuration.js';
export { type NumberBounds, parseNumber } from './parseNumber.js';
export { parseTimestamp } from './parseTimestamp.js';
export { parseStreamName, parseTableName } from './resourceNames.js';
export { type StockTrade, TradeType } from './StockTrade.js';
export {
  type ReaderShardCounts,
  type ReaderTraffic,
  SHARD_TRAFFIC_PATH,
  type ShardTrafficCounts,
  type ShardTrafficReport,
  UNNAMED_READER,
} from './shardTraffic.js';
export { formatStockStats, type Popularity, type StockStats, stockStats } from './stockStats.js';
export {
  addTrade,
  emptySummary,
  isLarger,
  type LargestSell,
  type TickerTotals,
  type TradeSummary,
} from './TradeSummary.js';
export { TRADE_BOUNDS } from './tradeBounds.js';
export { type ParseTradeResult, parseTrade, serializeTrade, tradeToJson, validateTrade } from './tradeJson.js';
export { MAX_PRICE_DEVIATION, MAX_QUANTITY, PROBABILITY_SELL, TUTORIAL_STOCK_PRICES } from './tutorialStockPrices.js';
export {
  compareSamplePositions,
  type ParseSampleResult,
  parseSample,
  reachesFurther,
  sampleToJson,
  type WindowSample,
} from './WindowSample.js';
export { describeWindowLength, formatWindow, windowStartOf } from './windows.js';
