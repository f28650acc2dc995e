export { commandBin } from './commandBin.js';
export { createLogger, type LogFormat, type Logger, type LoggerOptions, LogLevel } from './createLogger.js';
export { CliKitError, OutputWriteError } from './errors.js';
export { ExitCode } from './exitCodes.js';
export { JsonLinesFile } from './JsonLinesFile.js';
export { openOutputFile } from './openOutputFile.js';
export {
  clientsFor,
  defaultWorkerId,
  describeTarget,
  logFormatOption,
  logLevelOption,
  metricsOption,
  parseWorkerId,
  targetOption,
} from './options.js';
export { ProgressLine } from './ProgressLine.js';
export { type ErrorReport, reportError } from './reportError.js';
export { runProgram } from './runProgram.js';
export { shutdownSignal } from './shutdownSignal.js';
export { writeText } from './writeText.js';
