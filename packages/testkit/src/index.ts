export { fastWorkerArgs, owners, useEmbeddedStack, waitForBalance, waitForExactSamples } from './embeddedStack.js';
export { type CallFault, FakeRecordsPort } from './FakeRecordsPort.js';
export { fakeTime } from './fakeTime.js';
export { type CommandProcess, type CommandResult, runCommand, startCommand, waitFor } from './processes.js';
export {
  dedupeSamples,
  expectedPerShardWindow,
  expectedPerWindow,
  latestResults,
  mismatches,
  observedPerShardWindow,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  type SampleLine,
  summaryOfSample,
  type TradeLogLine,
} from './samples.js';
