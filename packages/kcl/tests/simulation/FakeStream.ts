import {
  ExpiredIteratorError,
  type HashKeyRange,
  type IteratorPosition,
  type KinesisRecord,
  type RecordsPage,
  ResourceNotFoundError,
  type ShardInfo,
  type StreamPort,
  ThrottledError,
} from '../../src/index.js';
import type { VirtualClock } from './VirtualClock.js';

export interface SimShard {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly hashKeyRange: HashKeyRange;
  readonly records: KinesisRecord[];
  childShardIds: string[];
  endingSequenceNumber?: string;
}

export interface FakeStreamOptions {
  readonly shardCount: number;
  /** Whether the page with a closed shard's last records already ends it, or one more empty page does. */
  readonly endOnLastPage: boolean;
  /** At most this many shards in all (splits beyond it are ignored). */
  readonly maxShards: number;
}

const HASH_SPACE = 2n ** 128n;
/** Sequence numbers of one length, so that they also sort as strings. */
const SEQUENCE_BASE = 49_600_000_000_000_000_000_000n;
const ITERATOR_LIFETIME_MS = 300_000;

/**
 * A Kinesis stream in memory: shards with records, hash ranges and parent/child links.
 * A split or merge closes shards (GetRecords at a closed shard's end returns no next
 * iterator, and its children), GetRecords can be throttled for a while, and iterators
 * expire after five minutes or when told to.
 */
export class FakeStream implements StreamPort {
  readonly shards = new Map<string, SimShard>();
  private sequence = 0n;
  private records = 0;
  private expiredBefore = Number.NEGATIVE_INFINITY;
  private readonly throttles: Array<{ shardId: string | undefined; until: number }> = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: FakeStreamOptions,
  ) {
    for (let index = 0; index < options.shardCount; index++) {
      const startingHashKey = (HASH_SPACE * BigInt(index)) / BigInt(options.shardCount);
      const endingHashKey = (HASH_SPACE * BigInt(index + 1)) / BigInt(options.shardCount) - 1n;
      this.addShard([], { startingHashKey: String(startingHashKey), endingHashKey: String(endingHashKey) });
    }
  }

  /** Open shards, in hash key order. */
  openShards(): SimShard[] {
    return [...this.shards.values()]
      .filter((shard) => shard.endingSequenceNumber === undefined)
      .sort((a, b) => compareBig(a.hashKeyRange.startingHashKey, b.hashKeyRange.startingHashKey));
  }

  /** Puts `count` records on the `pick`-th open shard (modulo their number). */
  putRecords(pick: number, count: number): void {
    const shard = pickFrom(this.openShards(), pick);
    if (!shard) return;
    for (let i = 0; i < count; i++) {
      const name = `r${++this.records}`;
      shard.records.push({
        sequenceNumber: this.nextSequenceNumber(),
        partitionKey: name,
        data: Buffer.from(name),
        approximateArrivalTimestamp: new Date(this.clock.wallNow()),
      });
    }
  }

  /** Splits the `pick`-th open shard in two halves of its hash range; false if there is no room. */
  split(pick: number): boolean {
    const parent = pickFrom(this.openShards(), pick);
    if (!parent || this.shards.size + 2 > this.options.maxShards) return false;
    const start = BigInt(parent.hashKeyRange.startingHashKey);
    const end = BigInt(parent.hashKeyRange.endingHashKey);
    if (end <= start) return false;
    const middle = (start + end) / 2n;
    this.close(parent, [
      this.addShard([parent.shardId], { startingHashKey: String(start), endingHashKey: String(middle) }),
      this.addShard([parent.shardId], { startingHashKey: String(middle + 1n), endingHashKey: String(end) }),
    ]);
    return true;
  }

  /** Merges the `pick`-th open shard with its right neighbour; false if there is none or no room. */
  merge(pick: number): boolean {
    const open = this.openShards();
    if (open.length < 2 || this.shards.size + 1 > this.options.maxShards) return false;
    const left = open[pick % (open.length - 1)] as SimShard;
    const right = open[(pick % (open.length - 1)) + 1] as SimShard;
    const child = this.addShard([left.shardId, right.shardId], {
      startingHashKey: left.hashKeyRange.startingHashKey,
      endingHashKey: right.hashKeyRange.endingHashKey,
    });
    this.close(left, [child]);
    this.close(right, [child]);
    return true;
  }

  /** GetRecords on the shard (every shard, without one) throws ThrottledError for `ms`. */
  throttle(shardPick: number | undefined, ms: number): void {
    const shard = shardPick === undefined ? undefined : pickFrom([...this.shards.values()], shardPick);
    this.throttles.push({ shardId: shard?.shardId, until: this.clock.monotonicNow() + ms });
  }

  /** Every iterator handed out so far expires. */
  expireIterators(): void {
    this.expiredBefore = this.clock.monotonicNow();
  }

  /** When the last throttling ends. */
  get throttledUntil(): number {
    return Math.max(0, ...this.throttles.map(({ until }) => until));
  }

  async listShards(): Promise<ShardInfo[]> {
    return [...this.shards.values()].map((shard) => infoOf(shard));
  }

  async getShardIterator(shardId: string, position: IteratorPosition): Promise<string> {
    const shard = this.shardOf(shardId);
    const { records } = shard;
    const firstFrom = (include: (record: KinesisRecord) => boolean) => {
      const index = records.findIndex(include);
      return index < 0 ? records.length : index;
    };
    const index = (() => {
      switch (position.type) {
        case 'TRIM_HORIZON':
          return 0;
        case 'LATEST':
          return records.length;
        case 'AT_TIMESTAMP':
          return firstFrom(
            (record) => (record.approximateArrivalTimestamp?.getTime() ?? 0) >= position.timestamp.getTime(),
          );
        case 'AT_SEQUENCE_NUMBER':
          return firstFrom((record) => compareBig(record.sequenceNumber, position.sequenceNumber) >= 0);
        case 'AFTER_SEQUENCE_NUMBER':
          return firstFrom((record) => compareBig(record.sequenceNumber, position.sequenceNumber) > 0);
      }
    })();
    return this.iterator(shardId, index);
  }

  async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const [shardId = '', at = '', issued = ''] = iterator.split('|');
    const shard = this.shardOf(shardId);
    const now = this.clock.monotonicNow();
    if (Number(issued) < this.expiredBefore || now - Number(issued) > ITERATOR_LIFETIME_MS) {
      throw new ExpiredIteratorError(`iterator for ${shardId} has expired`);
    }
    if (this.throttles.some(({ shardId: id, until }) => until > now && (id === undefined || id === shardId))) {
      throw new ThrottledError(`GetRecords ${shardId}: ProvisionedThroughputExceededException`);
    }
    const from = Number(at);
    const records = shard.records.slice(from, from + limit);
    const next = from + records.length;
    const behind = shard.records[next]?.approximateArrivalTimestamp;
    const millisBehindLatest = behind ? Math.max(0, this.clock.wallNow() - behind.getTime()) : 0;
    const ended =
      shard.endingSequenceNumber !== undefined &&
      next >= shard.records.length &&
      (this.options.endOnLastPage || records.length === 0);
    if (ended) {
      const childShards = shard.childShardIds.map((id) => infoOf(this.shardOf(id)));
      return { records, nextIterator: undefined, millisBehindLatest, childShards };
    }
    return { records, nextIterator: this.iterator(shardId, next), millisBehindLatest, childShards: [] };
  }

  private iterator(shardId: string, index: number): string {
    return `${shardId}|${index}|${this.clock.monotonicNow()}`;
  }

  private shardOf(shardId: string): SimShard {
    const shard = this.shards.get(shardId);
    if (!shard) throw new ResourceNotFoundError(`shard ${shardId} not found`);
    return shard;
  }

  private addShard(parentShardIds: string[], hashKeyRange: HashKeyRange): string {
    const shardId = `shardId-${String(this.shards.size).padStart(12, '0')}`;
    this.shards.set(shardId, { shardId, parentShardIds, hashKeyRange, records: [], childShardIds: [] });
    return shardId;
  }

  private close(shard: SimShard, childShardIds: string[]): void {
    shard.endingSequenceNumber = this.nextSequenceNumber();
    shard.childShardIds = childShardIds;
  }

  private nextSequenceNumber(): string {
    this.sequence += 1n;
    return String(SEQUENCE_BASE + this.sequence);
  }
}

function infoOf(shard: SimShard): ShardInfo {
  const { shardId, parentShardIds, hashKeyRange, endingSequenceNumber } = shard;
  return endingSequenceNumber === undefined
    ? { shardId, parentShardIds, hashKeyRange }
    : { shardId, parentShardIds, hashKeyRange, endingSequenceNumber };
}

function pickFrom<T>(items: readonly T[], pick: number): T | undefined {
  return items.length === 0 ? undefined : items[pick % items.length];
}

function compareBig(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
