export { AggregatorRecordProcessor } from './AggregatorRecordProcessor.js';
export { AggregatorError } from './errors.js';
export {
  DynamoResultSink,
  FanOutResultSink,
  formatResult,
  JsonlResultSink,
  PrintingResultSink,
  type ResultSink,
} from './ResultSink.js';
export { type AggregatorDeps, type AggregatorOptions, runAggregator } from './runAggregator.js';
export { type BookSettings, type EmittedState, WindowBook } from './WindowBook.js';
export type { WindowResult } from './WindowResult.js';
export { MAX_HASH_KEY, type Reporter, windowCoverage } from './windowCoverage.js';
