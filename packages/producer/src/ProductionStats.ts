/** What a producer run has done so far, for the progress line and the summary. */
export class ProductionStats {
  generated = 0;
  /** Trades Kinesis acknowledged. */
  delivered = 0;
  /** Trades given up on that Kinesis may have stored (an attempt's answer never came). */
  unknown = 0;
  /** Trades given up on that Kinesis surely did not store. */
  notDelivered = 0;
  /** Trades made but never sent: the run stopped first (the trade log could not be written). */
  unsent = 0;
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

  /** Trades sent and not acknowledged: unknown or not delivered. */
  get notAcknowledged(): number {
    return this.unknown + this.notDelivered;
  }

  recordDelivered(shardId: string): void {
    this.delivered++;
    this.perShard.set(shardId, (this.perShard.get(shardId) ?? 0) + 1);
  }

  progressText(): string {
    const retries = this.retriedRecords > 0 ? ` · ${this.retriedRecords} retried` : '';
    const unknown = this.unknown > 0 ? ` · ${this.unknown} UNKNOWN` : '';
    const failed = this.notDelivered > 0 ? ` · ${this.notDelivered} NOT delivered` : '';
    const inFlight = this.generated - this.delivered - this.notAcknowledged - this.unsent;
    return `sent ${this.delivered} trades · ${Math.round(this.rate)} trades/s · ${inFlight} in flight${retries}${unknown}${failed}`;
  }

  summaryText(stream: string): string {
    const seconds = (this.elapsedMs / 1000).toFixed(1);
    const shards = [...this.perShard.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([shard, count]) => `${shard}: ${count}`)
      .join(', ');
    const unconfirmed =
      this.notAcknowledged > 0
        ? [
            `Not acknowledged: ${this.unknown} unknown (Kinesis may have stored them), ` +
              `${this.notDelivered} not delivered (Kinesis did not store them).`,
          ]
        : [];
    const unsent = this.unsent > 0 ? [`Not sent: ${this.unsent} trades made after the run had to stop.`] : [];
    return [
      `Sent ${this.delivered} trades to ${stream} in ${seconds} s (${Math.round(this.rate)} trades/s), ${this.retriedRecords} records retried.`,
      ...unconfirmed,
      ...unsent,
      ...(shards ? [`Per shard: ${shards}`] : []),
    ].join('\n');
  }
}
