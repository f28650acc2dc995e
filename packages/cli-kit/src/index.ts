export { ExitCode } from './exitCodes.js';
export { clientsFor, describeTarget, targetOption } from './options.js';
export { ProgressLine } from './ProgressLine.js';
export { type ErrorReport, reportError } from './reportError.js';
export { runProgram } from './runProgram.js';
export { shutdownSignal } from './shutdownSignal.js';
