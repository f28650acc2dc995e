import { awsError, type ProxyAnswer } from './awsErrors.js';

/** AWS's limits on what a write may carry. */
export const KINESIS_REQUEST_LIMITS = {
  /** Entries in one PutRecords. */
  maxRecordsPerPut: 500,
  /** A record's data blob, decoded (1 MiB on a stream with the default maximum record size). */
  maxDataBytes: 1024 * 1024,
  /** A PutRecords's records, data and partition keys together. */
  maxPutRecordsBytes: 5 * 1024 * 1024,
  maxPartitionKeyLength: 256,
} as const;

const HASH_KEY = /^(0|[1-9]\d{0,38})$/;
const MAX_HASH_KEY = 2n ** 128n - 1n;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks a Kinesis JSON request as the service does before it does anything: a body that
 * is not a JSON object is a SerializationException, a PutRecord or PutRecords outside
 * AWS's limits a ValidationException (or InvalidArgumentException for a PutRecords over
 * 5 MiB in all). Undefined: the request may go on. Without this, kinesis-local would
 * store a 2 MiB record or a 600-entry batch that AWS refuses.
 */
export function validateKinesisRequest(api: string, body: Buffer): ProxyAnswer | undefined {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return awsError('kinesis', 400, 'SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return awsError('kinesis', 400, 'SerializationException', 'The request body must be a JSON object.');
  }
  const fields = request as Record<string, unknown>;
  if (api === 'PutRecord') return validateEntry(fields, '');
  if (api !== 'PutRecords') return undefined;
  const records = fields.Records;
  if (!Array.isArray(records))
    return validationError(`Value null at 'records' failed to satisfy constraint: Member must not be null`);
  if (records.length === 0 || records.length > KINESIS_REQUEST_LIMITS.maxRecordsPerPut) {
    const bound =
      records.length === 0
        ? 'Member must have length greater than or equal to 1'
        : `Member must have length less than or equal to ${KINESIS_REQUEST_LIMITS.maxRecordsPerPut}`;
    return validationError(`Value at 'records' failed to satisfy constraint: ${bound}`);
  }
  let total = 0;
  for (const [index, entry] of records.entries()) {
    if (typeof entry !== 'object' || entry === null) {
      return awsError('kinesis', 400, 'SerializationException', `Records[${index}] is not a structure.`);
    }
    const problem = validateEntry(entry as Record<string, unknown>, `records.${index + 1}.member.`);
    if (problem) return problem;
    const { Data, PartitionKey } = entry as { Data: string; PartitionKey: string };
    total += Buffer.byteLength(Data, 'base64') + Buffer.byteLength(PartitionKey, 'utf8');
  }
  if (total > KINESIS_REQUEST_LIMITS.maxPutRecordsBytes) {
    return awsError(
      'kinesis',
      400,
      'InvalidArgumentException',
      `Records size exceeds ${KINESIS_REQUEST_LIMITS.maxPutRecordsBytes / (1024 * 1024)} MB limit`,
    );
  }
  return undefined;
}

function validateEntry(entry: Record<string, unknown>, path: string): ProxyAnswer | undefined {
  const { Data, PartitionKey, ExplicitHashKey } = entry;
  if (typeof Data !== 'string' || !BASE64.test(Data)) {
    return validationError(
      `Value at '${path}data' failed to satisfy constraint: Member must be base64-encoded binary data`,
    );
  }
  if (Buffer.byteLength(Data, 'base64') > KINESIS_REQUEST_LIMITS.maxDataBytes) {
    return validationError(
      `Value at '${path}data' failed to satisfy constraint: Member must have length less than or equal to ${KINESIS_REQUEST_LIMITS.maxDataBytes}`,
    );
  }
  if (
    typeof PartitionKey !== 'string' ||
    PartitionKey.length === 0 ||
    PartitionKey.length > KINESIS_REQUEST_LIMITS.maxPartitionKeyLength
  ) {
    return validationError(
      `Value at '${path}partitionKey' failed to satisfy constraint: Member must have length between 1 and ${KINESIS_REQUEST_LIMITS.maxPartitionKeyLength}`,
    );
  }
  if (
    ExplicitHashKey !== undefined &&
    ExplicitHashKey !== null &&
    (typeof ExplicitHashKey !== 'string' || !HASH_KEY.test(ExplicitHashKey) || BigInt(ExplicitHashKey) > MAX_HASH_KEY)
  ) {
    return validationError(
      `Value at '${path}explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})`,
    );
  }
  return undefined;
}

function validationError(detail: string): ProxyAnswer {
  return awsError('kinesis', 400, 'ValidationException', `1 validation error detected: ${detail}`);
}
