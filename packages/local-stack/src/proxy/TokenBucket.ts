/**
 * A token bucket: `ratePerSecond` tokens flow in, up to `capacity` (one second's worth by
 * default, so a short burst passes as on AWS and a sustained excess does not). Pure:
 * times come in.
 */
export class TokenBucket {
  private tokens: number;
  private at: number | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number = ratePerSecond,
  ) {
    this.tokens = capacity;
  }

  /** Takes `amount` if it is there; false (and nothing taken) if not. */
  tryTake(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (amount > this.tokens) return false;
    this.tokens -= amount;
    return true;
  }

  /** Takes `amount` even into debt (a read's size is only known after it): later takes wait until it is paid. */
  charge(amount: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= amount;
  }

  /** True while the bucket holds at least `amount`. */
  has(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= amount;
  }

  private refill(nowMs: number): void {
    if (this.at !== undefined && nowMs > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.at) / 1000) * this.ratePerSecond);
    }
    this.at = Math.max(this.at ?? nowMs, nowMs);
  }
}
