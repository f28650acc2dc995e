export { EmulatorStartError, LocalStackError, PortInUseError } from './errors.js';
export { findFreePort, isPortFree } from './ports.js';
export {
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_KINESIS_PORT,
  type LocalStackOptions,
  type RunningLocalStack,
  startLocalStack,
} from './startLocalStack.js';
