export { EmulatorStartError, LocalStackError, PortInUseError } from './errors.js';
export { findFreePort, isPortFree } from './ports.js';
export { type Fault, FaultPlan, type Service } from './proxy/FaultPlan.js';
export { SHARD_LIMITS } from './proxy/ShardLimits.js';
export {
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_KINESIS_PORT,
  type LocalStackOptions,
  type RunningLocalStack,
  startLocalStack,
} from './startLocalStack.js';
