// The public API of @stock-trades/kpl: the KPL's aggregated-record format, both ways.
export {
  type DeaggregationResult,
  deaggregate,
  type HashKeyRange,
  type KinesisRecord,
  type UserRecord,
} from './deaggregate.js';
export { partitionKeyHash } from './kplFormat.js';
export {
  type AggregatedRecord,
  DEFAULT_AGGREGATION_MAX_BYTES,
  RecordAggregator,
  RecordTooLargeError,
} from './RecordAggregator.js';
