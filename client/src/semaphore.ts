// A counting semaphore: at most `limit` holders at once, waiters served in arrival order. The wait queue
// is an array read from a moving head, so taking the next waiter costs O(1) however many are queued.
export class Semaphore {
  private free: number;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(limit: number) { this.free = limit; }

  /** How many callers wait for a slot. */
  get waiters(): number { return this.waiting.length - this.head; }

  /** Takes a slot, waiting for one when none is free; give it back with release(). */
  acquire(): Promise<void> | undefined {
    if (this.free > 0) { this.free--; return undefined; }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives a slot back: to the longest waiter, if any. */
  release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined as never;
      if (this.head === this.waiting.length) { this.waiting = []; this.head = 0; }
      else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) { this.waiting = this.waiting.slice(this.head); this.head = 0; }
      next();
      return;
    }
    this.free++;
  }

  async run<T>(f: () => Promise<T>): Promise<T> {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await f();
    } finally {
      this.release();
    }
  }
}
