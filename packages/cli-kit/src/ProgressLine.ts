/**
 * One status line rewritten in place on a terminal; silent when the stream is not a TTY
 * (pipes and CI get the final summary only).
 */
export class ProgressLine {
  private lastWrite = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly minIntervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = this.now();
    if (!force && now - this.lastWrite < this.minIntervalMs) return;
    this.lastWrite = now;
    this.shown = true;
    this.stream.write(`\r\x1b[K${text}`);
  }

  /** Clears the line so the next output starts on a clean line. */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
