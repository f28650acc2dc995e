export {
  ProducerError,
  StreamNotReadyError,
  TradeLogFailedError,
  UnacknowledgedTradesError,
} from './errors.js';
export {
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_IN_FLIGHT,
  PartitionKeyMode,
  ProducerMode,
  type ProducerOptions,
  TUTORIAL_INTERVAL_MS,
} from './ProducerOptions.js';
export { ProductionStats } from './ProductionStats.js';
export { AggregatingRecordBuilder, PlainRecordBuilder, type RecordBuilder } from './RecordBuilder.js';
export { type ProducerDeps, type RunControl, runProducer } from './runProducer.js';
export { ShardMap } from './ShardMap.js';
export { TradeLog, type TradeLogLine, TradeStatus } from './TradeLog.js';
