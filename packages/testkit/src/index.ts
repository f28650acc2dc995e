export {
  fastAggregatorArgs,
  fastWorkerArgs,
  owners,
  useEmbeddedStack,
  waitForBalance,
  waitForExactSamples,
  whyIncomplete,
} from './embeddedStack.js';
export { type CallFault, FakeRecordsPort } from './FakeRecordsPort.js';
export { fakeTime } from './fakeTime.js';
export { type CommandProcess, type CommandResult, runCommand, startCommand, waitFor } from './processes.js';
export { recordingCheckpointer } from './recordingCheckpointer.js';
export { runInProcess } from './runInProcess.js';
export {
  dedupeSamples,
  expectedPerShardWindow,
  expectedPerWindow,
  inRange,
  isAcknowledged,
  latestResults,
  mismatches,
  observedPerShardWindow,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  type SampleLine,
  summaryOfSample,
  type TradeLogLine,
  waitForExactResults,
} from './samples.js';
