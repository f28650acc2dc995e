import { SHARD_TRAFFIC_PATH, type ShardTrafficReport } from '@stock-trades/core';

/**
 * The embedded stack's per-shard traffic counters, from its Kinesis proxy; undefined when
 * the endpoint is not our stack (a bare emulator has no such address) or does not answer.
 */
export async function readShardTraffic(kinesisEndpoint: string): Promise<ShardTrafficReport | undefined> {
  try {
    const response = await fetch(new URL(SHARD_TRAFFIC_PATH, kinesisEndpoint), { signal: AbortSignal.timeout(1000) });
    if (!response.ok) return undefined;
    const report = (await response.json()) as ShardTrafficReport;
    return typeof report.shardLimits === 'boolean' && typeof report.streams === 'object' ? report : undefined;
  } catch {
    return undefined;
  }
}
