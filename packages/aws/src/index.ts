export { classifyAwsError, ErrorClass } from './classifyAwsError.js';
export {
  type AwsClients,
  type ClientOptions,
  createClients,
  LOCAL_DYNAMODB_ENDPOINT_ENV,
  LOCAL_KINESIS_ENDPOINT_ENV,
  localClients,
  localTargetEnv,
  REQUEST_TIMEOUT_MS,
  readerKinesisClient,
} from './createClients.js';
export {
  AwsConfigurationError,
  AwsError,
  AwsRequestError,
  ConnectionLostError,
  ResourceStateError,
  ServiceUnreachableError,
  ThrottledRequestError,
} from './errors.js';
export { listShards } from './listShards.js';
export { readAllRecords, type StoredRecord } from './readAllRecords.js';
export { readShardTraffic } from './readShardTraffic.js';
export { type RetryTransientOptions, retryTransient } from './retryTransient.js';
export { StreamAdmin, StreamCapacity, type StreamDescription, type StreamSpec } from './StreamAdmin.js';
export { TableAdmin, type TableDescription } from './TableAdmin.js';
export { resolveTarget, TARGET_ENV, Target } from './Target.js';
export { type AwsCallContext, sdkErrorName, translateAwsError } from './translateAwsError.js';
export { DEFAULT_WAIT_MS, type WaitOptions } from './waitFor.js';
