import {
  ResourceStateError,
  type StreamAdmin,
  StreamCapacity,
  type StreamDescription,
  type StreamSpec,
} from '@stock-trades/aws';

export interface CreateStreamOptions {
  readonly stream: string;
  readonly spec: StreamSpec;
}

export type CreateStreamOutcome = 'created' | 'existed';

/**
 * Step 1: makes sure the stream exists, as asked, and is ACTIVE. An existing stream that
 * matches is reported, not an error; one with another shape is an error that says so.
 */
export async function runCreateStream(
  options: CreateStreamOptions,
  streams: Pick<StreamAdmin, 'describe' | 'create' | 'waitUntilActive' | 'waitUntilGone'>,
  say: (line: string) => void,
  now: () => number = Date.now,
): Promise<CreateStreamOutcome> {
  const { stream, spec } = options;
  const started = now();
  let existing = await streams.describe(stream);
  if (existing?.status === 'DELETING') {
    say(`${stream} is still being deleted; waiting until it is gone...`);
    await streams.waitUntilGone(stream);
    existing = undefined;
  }
  if (existing) {
    if (existing.status !== 'ACTIVE') {
      say(`${stream} exists and is ${existing.status}; waiting until it is ACTIVE...`);
      existing = await streams.waitUntilActive(stream);
    }
    assertMatches(existing, spec);
    say(`${stream} already exists (ACTIVE, ${shape(existing)}): nothing to do.`);
    return 'existed';
  }
  say(`Creating ${stream} (${describeSpec(spec)})...`);
  const created = await streams.create(stream, spec);
  const active = await streams.waitUntilActive(stream);
  if (!created) assertMatches(active, spec); // someone else created it between our describe and create
  const seconds = ((now() - started) / 1000).toFixed(1);
  say(`${stream} is ACTIVE with ${shape(active)} (took ${seconds} s).`);
  return created ? 'created' : 'existed';
}

function assertMatches(stream: StreamDescription, spec: StreamSpec): void {
  if (spec.capacity !== stream.capacity) {
    throw new ResourceStateError(
      `${stream.name} already exists as ${stream.capacity === StreamCapacity.ON_DEMAND ? 'on-demand' : 'provisioned'}, not ${describeSpec(spec)}: run \`pnpm teardown\` first to start over`,
    );
  }
  if (spec.capacity === StreamCapacity.PROVISIONED && stream.openShardCount !== spec.shards) {
    throw new ResourceStateError(
      `${stream.name} already exists with ${stream.openShardCount} open shards, not ${spec.shards}: run \`pnpm teardown\` first to start over, or keep it as it is by running with --shards ${stream.openShardCount}`,
    );
  }
}

function shape(stream: StreamDescription): string {
  const shards = `${stream.openShardCount} open shard${stream.openShardCount === 1 ? '' : 's'}`;
  return stream.capacity === StreamCapacity.ON_DEMAND ? `on-demand, ${shards}` : shards;
}

function describeSpec(spec: StreamSpec): string {
  return spec.capacity === StreamCapacity.ON_DEMAND
    ? 'on-demand'
    : `${spec.shards} shard${spec.shards === 1 ? '' : 's'}, provisioned`;
}
