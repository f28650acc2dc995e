import { readShardTraffic } from '@stock-trades/aws';
import {
  estimateKinesisCost,
  formatUsd,
  KINESIS_LIST_PRICES,
  PROJECT_RESOURCES,
  type ProjectResource,
  ResourceKind,
} from '@stock-trades/core';

/** What teardown needs to know of a resource: a stream says its shards and age, for the cost estimate. */
export interface ResourceDescription {
  readonly status: string;
  readonly capacity?: string;
  readonly openShardCount?: number;
  readonly createdAt?: Date;
}

/** What teardown needs of a stream or table admin. */
export interface ResourceAdmin {
  describe(name: string): Promise<ResourceDescription | undefined>;
  delete(name: string): Promise<boolean>;
  waitUntilGone(name: string): Promise<void>;
}

export interface TeardownDeps {
  readonly admins: Readonly<Record<ResourceKind, ResourceAdmin>>;
  /** Asks the user; resolves true to go ahead. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly say: (line: string) => void;
  /** PUT payload units the streams took, where known (the embedded stack counts them); undefined: not known. */
  readonly putPayloadUnits?: () => Promise<number | undefined>;
  readonly now?: () => number;
}

export interface TeardownResult {
  readonly deleted: ProjectResource[];
  readonly alreadyGone: ProjectResource[];
  /** True when the user said no: nothing was touched. */
  readonly declined: boolean;
}

/**
 * Deletes exactly the resources on the list (the project's own, from core) that exist,
 * after saying what they are and asking, and waits until each is gone. What is already
 * gone is reported as such (an optional one, made only by an exercise, is not mentioned);
 * anything not on the list is never touched.
 */
export async function runTeardown(resources: readonly ProjectResource[], deps: TeardownDeps): Promise<TeardownResult> {
  const found: ProjectResource[] = [];
  const alreadyGone: ProjectResource[] = [];
  const streams: ResourceDescription[] = [];
  for (const resource of resources) {
    const current = await deps.admins[resource.kind].describe(resource.name);
    if (current) found.push(resource);
    else if (!resource.optional) alreadyGone.push(resource);
    if (current && resource.kind === 'stream') streams.push(current);
  }
  for (const resource of alreadyGone) deps.say(`  ${label(resource)}: already gone`);
  if (found.length === 0) {
    deps.say('Nothing to delete.');
    return { deleted: [], alreadyGone, declined: false };
  }
  deps.say('Will delete:');
  for (const resource of found) deps.say(`  ${label(resource)} (created by ${resource.createdBy})`);
  for (const line of costLines(streams, await deps.putPayloadUnits?.(), (deps.now ?? Date.now)())) deps.say(line);
  const question = found.length === 1 ? 'Delete it? [y/N] ' : `Delete these ${found.length}? [y/N] `;
  if (!(await deps.confirm(question))) {
    deps.say('Nothing deleted.');
    return { deleted: [], alreadyGone, declined: true };
  }
  const deleted: ProjectResource[] = [];
  await Promise.all(
    found.map(async (resource) => {
      const admin = deps.admins[resource.kind];
      if (!(await admin.delete(resource.name))) {
        alreadyGone.push(resource);
        deps.say(`  ${label(resource)}: already gone`);
        return;
      }
      await admin.waitUntilGone(resource.name);
      deleted.push(resource);
      deps.say(`  ${label(resource)}: deleted`);
    }),
  );
  deps.say(`Done: ${deleted.length} deleted, ${alreadyGone.length} already gone.`);
  return { deleted, alreadyGone, declined: false };
}

function label(resource: ProjectResource): string {
  return `${resource.kind} ${resource.name}`;
}

/**
 * What the streams would have cost on AWS so far, at the list prices the dashboard's meter
 * uses: their open shards since they were created (a reshard's history is not known here),
 * and the PUT payload units where counted. None for on-demand streams (priced otherwise).
 */
export function costLines(
  streams: readonly ResourceDescription[],
  putPayloadUnits: number | undefined,
  now: number,
): string[] {
  const provisioned = streams.filter(
    (stream) => stream.capacity !== 'ON_DEMAND' && stream.openShardCount !== undefined && stream.createdAt,
  );
  if (provisioned.length === 0) return [];
  const shards = provisioned.reduce((sum, stream) => sum + (stream.openShardCount ?? 0), 0);
  const shardHours = provisioned.reduce(
    (sum, stream) =>
      sum + ((stream.openShardCount ?? 0) * Math.max(0, now - (stream.createdAt?.getTime() ?? now))) / 3_600_000,
    0,
  );
  const cost = estimateKinesisCost({ shardHours, putPayloadUnits: putPayloadUnits ?? 0 });
  const prices = `${KINESIS_LIST_PRICES.region} list prices of ${KINESIS_LIST_PRICES.asOf}`;
  return [
    `If this ran on AWS (${prices}; DynamoDB and CloudWatch not included):`,
    `  ${shardHours.toFixed(2)} shard-hours (${shards} open shards since created) × $${KINESIS_LIST_PRICES.shardHourUsd} = ${formatUsd(cost.shardHoursUsd)}`,
    putPayloadUnits === undefined
      ? '  PUT payload units: not counted here (on AWS, see the bill or CloudWatch IncomingRecords)'
      : `  ${putPayloadUnits.toLocaleString('en-US')} PUT payload units × $${KINESIS_LIST_PRICES.perMillionPutPayloadUnitsUsd} per million = ${formatUsd(cost.putPayloadUnitsUsd)}`,
    `  ≈ ${formatUsd(cost.totalUsd)} so far, and ${formatUsd(shards * KINESIS_LIST_PRICES.shardHourUsd)} for each hour the streams stay. Deleting them stops it.`,
  ];
}

/** The PUT payload units the embedded stack counted on the project's streams; undefined where it does not count. */
export async function embeddedPutPayloadUnits(kinesisEndpoint: string): Promise<number | undefined> {
  const report = await readShardTraffic(kinesisEndpoint);
  if (!report) return undefined;
  return PROJECT_RESOURCES.filter((resource) => resource.kind === ResourceKind.STREAM)
    .flatMap((resource) => Object.values(report.streams[resource.name] ?? {}))
    .reduce((sum, counts) => sum + (counts.payloadUnitsIn ?? counts.recordsIn), 0);
}
