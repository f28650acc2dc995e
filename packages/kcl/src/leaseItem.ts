import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Lease, LeaseMetrics } from './Lease.js';

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
  return item;
}

/** Reads an item written by us or by the Java KCL; attributes we do not know are ignored. */
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
  };
}

function metricsFromItem(item: Record<string, AttributeValue>): { metrics?: LeaseMetrics } {
  const millisBehindLatest = Number(item.millisBehindLatest?.N);
  const recordsPerSecond = Number(item.recordsPerSecond?.N);
  if (!Number.isFinite(millisBehindLatest) || !Number.isFinite(recordsPerSecond)) return {};
  return { metrics: { millisBehindLatest, recordsPerSecond } };
}
