import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Lease, type LeaseMetrics, type LeaseTransition, TransitionKind } from './Lease.js';

/** How many changes of owner a lease item keeps (newest last). */
export const TRANSITIONS_KEPT = 4;

/**
 * What tells a lease from the other items a Java KCL 3.5+ application keeps in its lease table
 * (worker metrics, coordinator state): the attribute `entityType`, "LEASE" on a lease. An item
 * without it is a lease, as the Java KCL reads it "for backward compatibility" (items written by
 * KCL 2.x and by KCL 3.0–3.4, and ours). Sources, awslabs/amazon-kinesis-client v3.5.1:
 * leases/EntityType.java (LEASE, STREAM, LEADER, CLIENT_VERSION_MIGRATION, TABLE_MIGRATION,
 * WORKER_METRIC_STATS) and DynamoDBLeaseSerializer.fromDynamoRecord (ENTITY_TYPE_ATTRIBUTE_NAME).
 */
export const ENTITY_TYPE_ATTRIBUTE = 'entityType';
export const LEASE_ENTITY_TYPE = 'LEASE';

/**
 * True for an item that is a lease: no `entityType` or "LEASE", and the attributes every KCL
 * writes on a lease (leaseKey S, leaseCounter N, checkpoint S). Anything else is not ours to read.
 */
export function isLeaseItem(item: Record<string, AttributeValue>): boolean {
  const entityType = item[ENTITY_TYPE_ATTRIBUTE];
  if (entityType !== undefined && entityType.S !== LEASE_ENTITY_TYPE) return false;
  return (
    item.leaseKey?.S !== undefined &&
    item.leaseCounter?.N !== undefined &&
    Number.isFinite(Number(item.leaseCounter.N)) &&
    item.checkpoint?.S !== undefined
  );
}

/**
 * The lease as a DynamoDB item, attribute for attribute the Java KCL 2.x schema
 * (DynamoDBLeaseSerializer): leaseKey S, leaseOwner S, leaseCounter N, checkpoint S,
 * checkpointSubSequenceNumber N, ownerSwitchesSinceCheckpoint N, parentShardId SS,
 * childShardIds SS, startingHashKey S, endingHashKey S. Empty sets and absent values
 * are left out, as DynamoDB requires.
 */
export function leaseToItem(lease: Lease): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    leaseKey: { S: lease.leaseKey },
    leaseCounter: { N: String(lease.leaseCounter) },
    checkpoint: { S: lease.checkpoint.sequenceNumber },
    checkpointSubSequenceNumber: { N: String(lease.checkpoint.subSequenceNumber) },
    ownerSwitchesSinceCheckpoint: { N: String(lease.ownerSwitchesSinceCheckpoint) },
  };
  if (lease.leaseOwner !== undefined) item.leaseOwner = { S: lease.leaseOwner };
  if (lease.parentShardIds.length > 0) item.parentShardId = { SS: [...lease.parentShardIds] };
  if (lease.childShardIds.length > 0) item.childShardIds = { SS: [...lease.childShardIds] };
  if (lease.hashKeyRange) {
    item.startingHashKey = { S: lease.hashKeyRange.startingHashKey };
    item.endingHashKey = { S: lease.hashKeyRange.endingHashKey };
  }
  if (lease.applicationState !== undefined) item.applicationState = { S: lease.applicationState };
  if (lease.checkpointOwner !== undefined) item.checkpointOwner = { S: lease.checkpointOwner };
  if (lease.transitions?.length) item.leaseTransitions = { S: JSON.stringify(lease.transitions) };
  return item;
}

/**
 * Reads an item written by us or by the Java KCL (check isLeaseItem first); attributes we do not
 * know are ignored here, and no write of ours touches them.
 */
export function leaseFromItem(item: Record<string, AttributeValue>): Lease {
  const startingHashKey = item.startingHashKey?.S;
  const endingHashKey = item.endingHashKey?.S;
  return {
    leaseKey: item.leaseKey?.S ?? '',
    leaseOwner: item.leaseOwner?.S,
    leaseCounter: Number(item.leaseCounter?.N ?? 0),
    checkpoint: {
      sequenceNumber: item.checkpoint?.S ?? 'TRIM_HORIZON',
      subSequenceNumber: Number(item.checkpointSubSequenceNumber?.N ?? 0),
    },
    ownerSwitchesSinceCheckpoint: Number(item.ownerSwitchesSinceCheckpoint?.N ?? 0),
    parentShardIds: item.parentShardId?.SS ?? [],
    childShardIds: item.childShardIds?.SS ?? [],
    hashKeyRange:
      startingHashKey !== undefined && endingHashKey !== undefined ? { startingHashKey, endingHashKey } : undefined,
    applicationState: item.applicationState?.S,
    ...metricsFromItem(item),
    ...(item.checkpointOwner?.S === undefined ? {} : { checkpointOwner: item.checkpointOwner.S }),
    ...transitionsFromItem(item),
  };
}

/** The lease's transitions with one more, newest last, at most TRANSITIONS_KEPT. */
export function withTransition(lease: Lease, transition: LeaseTransition): readonly LeaseTransition[] {
  return [...(lease.transitions ?? []), transition].slice(-TRANSITIONS_KEPT);
}

const KINDS = new Set<string>(Object.values(TransitionKind));

/** The `leaseTransitions` attribute, if it reads as one; anything else is left out, never trusted. */
function transitionsFromItem(item: Record<string, AttributeValue>): { transitions?: LeaseTransition[] } {
  const text = item.leaseTransitions?.S;
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value) || value.length > TRANSITIONS_KEPT) return {};
    const valid = value.every(
      (entry: Partial<LeaseTransition>) =>
        typeof entry === 'object' &&
        entry !== null &&
        KINDS.has(String(entry.kind)) &&
        typeof entry.worker === 'string' &&
        (entry.from === null || typeof entry.from === 'string') &&
        Number.isSafeInteger(entry.at) &&
        Number.isSafeInteger(entry.counter),
    );
    return valid ? { transitions: value as LeaseTransition[] } : {};
  } catch {
    return {};
  }
}

function metricsFromItem(item: Record<string, AttributeValue>): { metrics?: LeaseMetrics } {
  const millisBehindLatest = Number(item.millisBehindLatest?.N);
  const recordsPerSecond = Number(item.recordsPerSecond?.N);
  if (!Number.isFinite(millisBehindLatest) || !Number.isFinite(recordsPerSecond)) return {};
  const processingFailures = Number(item.processingFailures?.N);
  return {
    metrics: {
      millisBehindLatest,
      recordsPerSecond,
      ...(Number.isSafeInteger(processingFailures) && processingFailures >= 0 ? { processingFailures } : {}),
    },
  };
}
