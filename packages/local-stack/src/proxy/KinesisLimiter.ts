import { putPayloadUnits, type ShardTrafficReport, UNNAMED_READER } from '@stock-trades/core';
import { json, type ProxyAnswer, throttled } from './awsErrors.js';
import { SHARD_LIMITS, ShardLimits } from './ShardLimits.js';
import { ShardTraffic } from './ShardTraffic.js';
import { hashKeyOf, type ShardRange, shardForKey } from './shardForKey.js';
import { userRecordCount } from './userRecordCount.js';

/** Sends a (possibly rewritten) request body upstream and returns the answer. */
export type Forward = (body: Buffer) => Promise<ProxyAnswer>;

/** Who sent a call, as far as the proxy can tell. */
export interface Caller {
  /** The app id in the client's User-Agent (`app/<id>`, the SDK's `userAgentAppId`). */
  readonly application?: string;
}

interface PutEntry {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}

const ACCOUNT = '000000000000';
/**
 * How long a stream's shard list is trusted: every reshard goes through this proxy and
 * clears it, so this only bounds how long a list read mid-reshard can be stale.
 */
const SHARD_MAP_TTL_MS = 10_000;

/**
 * Per-shard limits on the Kinesis calls that carry data, as AWS enforces them: PutRecord
 * fails whole, PutRecords fails only the entries over the limit (per-entry ErrorCode,
 * FailedRecordCount), GetRecords fails whole. A record's shard is found as Kinesis finds
 * it: the MD5 of its partition key (or its explicit hash key) against the open shards'
 * ranges, read from the emulator and kept current across reshards.
 */
export class KinesisLimiter {
  private readonly limits: ShardLimits;
  /** What went through and what was refused, per shard, and who read it: the dashboard's throttling panels. */
  readonly traffic = new ShardTraffic();
  private readonly shardMaps = new Map<string, { shards: ShardRange[]; at: number }>();
  /** One ListShards at a time per stream; callers meanwhile route by the list they have. */
  private readonly refreshing = new Map<string, Promise<ShardRange[]>>();
  /** Which stream and shard an iterator reads (learned from GetShardIterator and GetRecords answers). */
  private readonly iterators = new Map<string, { stream: string; shardId: string }>();

  constructor(
    private readonly listShards: (stream: string) => Promise<ShardRange[]>,
    private readonly now: () => number = Date.now,
    private readonly scale = 1,
  ) {
    this.limits = new ShardLimits(scale);
  }

  /** Every shard's traffic so far, with the allowance it is held to. */
  report(): ShardTrafficReport {
    return this.traffic.report({
      shardLimits: true,
      writeRecordsPerSecond: SHARD_LIMITS.writeRecordsPerSecond * this.scale,
      writeBytesPerSecond: SHARD_LIMITS.writeBytesPerSecond * this.scale,
      readCallsPerSecond: Math.max(1, SHARD_LIMITS.readCallsPerSecond * this.scale),
    });
  }

  /** `caller.application`: the app id the client's SDK sent, which the reads of GetRecords are counted under. */
  async handle(api: string, body: Buffer, forward: Forward, caller: Caller = {}): Promise<ProxyAnswer> {
    switch (api) {
      case 'PutRecord':
        return this.putRecord(body, forward);
      case 'PutRecords':
        return this.putRecords(body, forward);
      case 'GetShardIterator':
        return this.getShardIterator(body, forward);
      case 'GetRecords':
        return this.getRecords(body, forward, caller.application ?? UNNAMED_READER);
      case 'UpdateShardCount':
      case 'SplitShard':
      case 'MergeShards':
      case 'DeleteStream': {
        const answer = await forward(body);
        this.shardMaps.clear();
        if (api === 'DeleteStream' && answer.status === 200) {
          this.traffic.forget((JSON.parse(body.toString('utf8')) as { StreamName?: string }).StreamName ?? '');
        }
        return answer;
      }
      default:
        return forward(body);
    }
  }

  private async putRecord(body: Buffer, forward: Forward): Promise<ProxyAnswer> {
    const request = JSON.parse(body.toString('utf8')) as PutEntry & { StreamName?: string };
    const stream = request.StreamName ?? '';
    const shardId = await this.route(stream, request);
    const bytes = recordBytes(request);
    if (shardId && !this.limits.tryWrite(stream, shardId, bytes, this.now())) {
      this.traffic.add(stream, shardId, { recordsRefused: 1 });
      return throttled('kinesis', rateExceeded(stream, shardId));
    }
    const answer = await forward(body);
    if (shardId && answer.status === 200) {
      this.traffic.add(stream, shardId, {
        recordsIn: 1,
        bytesIn: bytes,
        payloadUnitsIn: putPayloadUnits(bytes),
        userRecordsIn: userRecordsOf(request),
      });
    }
    return answer;
  }

  private async putRecords(body: Buffer, forward: Forward): Promise<ProxyAnswer> {
    const request = JSON.parse(body.toString('utf8')) as { StreamName?: string; Records?: PutEntry[] };
    const stream = request.StreamName ?? '';
    const entries = request.Records ?? [];
    const verdicts: Array<{ shardId: string | undefined; bytes: number; allowed: boolean; users: number }> = [];
    for (const entry of entries) {
      const shardId = await this.route(stream, entry);
      const bytes = recordBytes(entry);
      const allowed = shardId === undefined || this.limits.tryWrite(stream, shardId, bytes, this.now());
      verdicts.push({ shardId, bytes, allowed, users: userRecordsOf(entry) });
      if (shardId && !allowed) this.traffic.add(stream, shardId, { recordsRefused: 1 });
    }
    const countAccepted = (upstream: ReadonlyArray<{ ErrorCode?: unknown }>) => {
      let next = 0;
      for (const verdict of verdicts) {
        if (!verdict.allowed) continue;
        const accepted = upstream[next++]?.ErrorCode == null;
        if (verdict.shardId && accepted)
          this.traffic.add(stream, verdict.shardId, {
            recordsIn: 1,
            bytesIn: verdict.bytes,
            payloadUnitsIn: putPayloadUnits(verdict.bytes),
            userRecordsIn: verdict.users,
          });
      }
    };
    if (verdicts.every((verdict) => verdict.allowed)) {
      const answer = await forward(body);
      if (answer.status === 200) countAccepted(recordsOf(answer));
      return answer;
    }
    const allowed = entries.filter((_, index) => verdicts[index]?.allowed);
    let upstream: Array<Record<string, unknown>> = [];
    let failed = 0;
    if (allowed.length > 0) {
      const answer = await forward(Buffer.from(JSON.stringify({ ...request, Records: allowed })));
      if (answer.status !== 200) return answer;
      const parsed = JSON.parse(answer.body.toString('utf8')) as {
        Records?: Array<Record<string, unknown>>;
        FailedRecordCount?: number;
      };
      upstream = parsed.Records ?? [];
      failed = parsed.FailedRecordCount ?? 0;
      countAccepted(upstream);
    }
    let next = 0;
    const records = verdicts.map((verdict) =>
      verdict.allowed
        ? (upstream[next++] ?? {})
        : {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: rateExceeded(stream, verdict.shardId ?? ''),
          },
    );
    return json('kinesis', {
      FailedRecordCount: failed + verdicts.filter((verdict) => !verdict.allowed).length,
      Records: records,
    });
  }

  private async getShardIterator(body: Buffer, forward: Forward): Promise<ProxyAnswer> {
    const answer = await forward(body);
    if (answer.status === 200) {
      const request = JSON.parse(body.toString('utf8')) as { StreamName?: string; ShardId?: string };
      const iterator = (JSON.parse(answer.body.toString('utf8')) as { ShardIterator?: string }).ShardIterator;
      if (iterator) this.remember(iterator, { stream: request.StreamName ?? '', shardId: request.ShardId ?? '' });
    }
    return answer;
  }

  private async getRecords(body: Buffer, forward: Forward, application: string): Promise<ProxyAnswer> {
    const iterator = (JSON.parse(body.toString('utf8')) as { ShardIterator?: string }).ShardIterator ?? '';
    const reading = this.iterators.get(iterator);
    const reader = { application, mode: 'polling' } as const;
    if (reading && !this.limits.tryRead(reading.stream, reading.shardId, this.now())) {
      this.traffic.add(reading.stream, reading.shardId, { readsThrottled: 1 });
      this.traffic.addRead(reading.stream, reader, reading.shardId, { readsThrottled: 1 });
      return throttled('kinesis', rateExceeded(reading.stream, reading.shardId));
    }
    const answer = await forward(body);
    if (reading && answer.status === 200) {
      this.traffic.add(reading.stream, reading.shardId, { reads: 1 });
      const page = JSON.parse(answer.body.toString('utf8')) as {
        Records?: Array<{ Data?: string; PartitionKey?: string }>;
        NextShardIterator?: string;
      };
      const bytes = (page.Records ?? []).reduce((sum, record) => sum + recordBytes(record), 0);
      this.traffic.addRead(reading.stream, reader, reading.shardId, {
        reads: 1,
        recordsOut: page.Records?.length ?? 0,
        bytesOut: bytes,
      });
      this.limits.chargeRead(reading.stream, reading.shardId, bytes, this.now());
      if (page.NextShardIterator) this.remember(page.NextShardIterator, reading);
    }
    return answer;
  }

  private remember(iterator: string, reading: { stream: string; shardId: string }): void {
    this.iterators.set(iterator, reading);
    // Iterators live five minutes; a reader keeps only its latest: forget the oldest beyond a bound.
    if (this.iterators.size > 10_000) {
      const oldest = this.iterators.keys().next().value;
      if (oldest !== undefined) this.iterators.delete(oldest);
    }
  }

  private async route(stream: string, entry: PutEntry): Promise<string | undefined> {
    const hashKey = hashKeyOf(entry.PartitionKey, entry.ExplicitHashKey);
    const map = this.shardMaps.get(stream);
    if (!map) return shardForKey(await this.refresh(stream), hashKey);
    // A list that has aged, or that has no shard for this key (read mid-reshard, or not read at all), is read
    // again in the background, at most once per second; this record goes by the list at hand.
    const shardId = shardForKey(map.shards, hashKey);
    const age = this.now() - map.at;
    if (age > SHARD_MAP_TTL_MS || (shardId === undefined && age > 1000)) void this.refresh(stream);
    return shardId;
  }

  private refresh(stream: string): Promise<ShardRange[]> {
    let pending = this.refreshing.get(stream);
    if (!pending) {
      pending = this.listShards(stream)
        .catch(() => [])
        .then((shards) => {
          this.shardMaps.set(stream, { shards, at: this.now() });
          this.refreshing.delete(stream);
          return shards;
        });
      this.refreshing.set(stream, pending);
    }
    return pending;
  }
}

/** The per-entry results of a PutRecords answer. */
function recordsOf(answer: ProxyAnswer): Array<{ ErrorCode?: unknown }> {
  try {
    return (JSON.parse(answer.body.toString('utf8')) as { Records?: Array<{ ErrorCode?: unknown }> }).Records ?? [];
  } catch {
    return [];
  }
}

/** The user records (trades) a put entry carries: those of its KPL aggregate, or 1. */
function userRecordsOf(entry: { readonly Data?: string }): number {
  return userRecordCount(Buffer.from(entry.Data ?? '', 'base64'));
}

/** Data (base64 decoded) plus partition key, as AWS counts a record against a shard's limits, in or out. */
export function recordBytes(record: { readonly Data?: string; readonly PartitionKey?: string }): number {
  return Buffer.byteLength(record.Data ?? '', 'base64') + Buffer.byteLength(record.PartitionKey ?? '', 'utf8');
}

function rateExceeded(stream: string, shardId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${ACCOUNT}.`;
}
