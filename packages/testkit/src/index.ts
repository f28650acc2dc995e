export { type CommandProcess, startCommand, waitFor } from './processes.js';
export {
  dedupeSamples,
  expectedPerShardWindow,
  mismatches,
  observedPerShardWindow,
  readJsonLines,
  type SampleLine,
  summaryOfSample,
  type TradeLogLine,
} from './samples.js';
