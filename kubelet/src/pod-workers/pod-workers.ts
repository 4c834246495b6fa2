// podWorkers: one worker per pod uid. Updates for a pod busy syncing mark it dirty and it syncs
// again when done; different pods never wait for each other. A sync may ask to run again later.

export type SyncFn = (uid: string) => Promise<{ requeueAfterMs?: number } | void>;

interface Worker {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  done?: Promise<void>;
}

export class PodWorkers {
  private readonly sync: SyncFn;
  private readonly onError: (uid: string, err: unknown) => void;
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(sync: SyncFn, onError: (uid: string, err: unknown) => void) {
    this.sync = sync;
    this.onError = onError;
  }

  /** Asks for a sync of the pod (now, or after delayMs). */
  updatePod(uid: string, delayMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) { w = { running: false, dirty: false }; this.workers.set(uid, w); }
    if (delayMs > 0) {
      if (w.timer) clearTimeout(w.timer);
      w.timer = setTimeout(() => { w!.timer = undefined; this.updatePod(uid); }, delayMs);
      return;
    }
    w.dirty = true;
    if (!w.running) w.done = this.run(uid, w);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    try {
      while (w.dirty && !this.stopped) {
        w.dirty = false;
        try {
          const r = await this.sync(uid);
          if (r?.requeueAfterMs !== undefined && !w.dirty) this.updatePod(uid, Math.max(50, r.requeueAfterMs));
        } catch (err) {
          this.onError(uid, err);
          if (!w.dirty) this.updatePod(uid, 1000);
        }
      }
    } finally {
      w.running = false;
    }
  }

  /** Forgets a pod that is fully gone. */
  forget(uid: string): void {
    const w = this.workers.get(uid);
    if (w?.timer) clearTimeout(w.timer);
    if (w && !w.running) this.workers.delete(uid);
  }

  isWorking(uid: string): boolean { return this.workers.get(uid)?.running ?? false; }

  /** Stops accepting work and waits for running syncs. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    await Promise.allSettled([...this.workers.values()].map((w) => w.done));
  }
}
