// Per-key exponential backoff (upstream flowcontrol.Backoff) used for CrashLoopBackOff and
// ImagePullBackOff: 10 s doubling to 5 min; an entry idle for twice the maximum starts over.

export interface BackoffOptions { initialMs?: number; maxMs?: number; now?: () => number }

interface Entry { backoffMs: number; lastUpdate: number }

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 10_000;
    this.maxMs = o.maxMs ?? 300_000;
    this.now = o.now ?? Date.now;
  }

  /** The current delay of key (0 when none). */
  get(key: string): number { return this.entries.get(key)?.backoffMs ?? 0; }

  /** Records an event at eventTime (ms) and grows the delay. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** Whether key is still backing off from an event at eventTime; the ms left when it is. */
  inBackoffSince(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    if (this.now() - e.lastUpdate > 2 * this.maxMs) return 0;
    const left = eventTime + e.backoffMs - this.now();
    return left > 0 ? left : 0;
  }

  /** Whether key is still backing off from its last recorded event; the ms left when it is. */
  inBackoffSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.lastUpdate + e.backoffMs - this.now();
    return left > 0 ? left : 0;
  }

  reset(key: string): void { this.entries.delete(key); }

  /** Drops every key with this prefix (a pod's entries when it goes away). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
