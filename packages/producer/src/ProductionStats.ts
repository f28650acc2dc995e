/** What a producer run has done so far, for the progress line and the summary. */
export class ProductionStats {
  generated = 0;
  delivered = 0;
  undelivered = 0;
  retriedRecords = 0;
  readonly perShard = new Map<string, number>();
  private readonly startedAt: number;

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Acknowledged trades per second since the start. */
  get rate(): number {
    const seconds = this.elapsedMs / 1000;
    return seconds > 0 ? this.delivered / seconds : 0;
  }

  recordDelivered(shardId: string): void {
    this.delivered++;
    this.perShard.set(shardId, (this.perShard.get(shardId) ?? 0) + 1);
  }

  progressText(): string {
    const retries = this.retriedRecords > 0 ? ` · ${this.retriedRecords} retried` : '';
    const failed = this.undelivered > 0 ? ` · ${this.undelivered} NOT delivered` : '';
    const inFlight = this.generated - this.delivered - this.undelivered;
    return `sent ${this.delivered} trades · ${Math.round(this.rate)} trades/s · ${inFlight} in flight${retries}${failed}`;
  }

  summaryText(stream: string): string {
    const seconds = (this.elapsedMs / 1000).toFixed(1);
    const shards = [...this.perShard.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([shard, count]) => `${shard}: ${count}`)
      .join(', ');
    return [
      `Sent ${this.delivered} trades to ${stream} in ${seconds} s (${Math.round(this.rate)} trades/s), ${this.retriedRecords} records retried.`,
      ...(shards ? [`Per shard: ${shards}`] : []),
    ].join('\n');
  }
}
