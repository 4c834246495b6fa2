// BoundedFrequencyRunner (upstream pkg/util/async): runs a function when asked, but never more
// often than once per minInterval, and at least once per maxInterval; one run at a time.

export class BoundedFrequencyRunner {
  private readonly fn: () => Promise<void>;
  private readonly minMs: number;
  private readonly maxMs: number;
  private lastRun = -Infinity;
  private running = false;
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(fn: () => Promise<void>, minIntervalMs: number, maxIntervalMs: number) {
    this.fn = fn;
    this.minMs = minIntervalMs;
    this.maxMs = maxIntervalMs;
  }

  /** Asks for a run: now if the last one is minInterval old, else as soon as it is. */
  run(): void {
    if (this.stopped) return;
    if (this.running) { this.pending = true; return; }
    this.schedule(Math.max(0, this.lastRun + this.minMs - performance.now()));
  }

  /** After a failed run: try again after ms (unless asked earlier). */
  retryAfter(ms: number): void {
    if (!this.stopped) this.schedule(Math.max(ms, this.lastRun + this.minMs - performance.now()));
  }

  /** Stops timers; resolves once a run in progress has ended. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.running ? new Promise((r) => this.idle.push(r)) : Promise.resolve();
  }

  private schedule(delayMs: number): void {
    const at = performance.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => { this.timer = undefined; this.timerAt = Infinity; void this.tick(); }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    this.pending = false;
    this.lastRun = performance.now();
    try {
      await this.fn();
    } catch {
      // The function reports its own failures (and asks for a retry with retryAfter).
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
    }
    if (this.stopped) return;
    if (this.pending) this.run();
    // The periodic run: at most maxInterval after this one.
    this.schedule(Math.max(0, this.lastRun + this.maxMs - performance.now()));
  }
}
