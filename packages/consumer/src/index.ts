export { ConsumerError } from './errors.js';
export { FanOutSink, JsonlSink } from './JsonlSink.js';
export { KinesisSampleSink } from './KinesisSampleSink.js';
export { Pause } from './Pause.js';
export { formatSample, PrintingSink } from './PrintingSink.js';
export { type ConsumerDeps, type ConsumerOptions, runConsumer } from './runConsumer.js';
export { ShardWindows, type WindowSettings } from './ShardWindows.js';
export { type ProcessorDeps, type ProcessorSettings, StockTradeRecordProcessor } from './StockTradeRecordProcessor.js';
export type { SampleSink, WindowSample } from './WindowSample.js';
