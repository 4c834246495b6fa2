// When each step of a pod's start happened (upstream pod_startup_latency_tracker, extended to the
// runtime steps): first seen → first sync → sandbox → image → container created → started →
// Running status written. The kubelet_pod_start_duration_seconds histogram takes first seen →
// Running; the steps serve benchmarks and debugging.
export type StartupStep = 'seen' | 'syncStart' | 'sandboxCreated' | 'sandboxStatus' | 'imageReady' | 'containerCreated' | 'containerStarted' | 'statusRunning' | 'statusWritten';

export class PodStartupTracker {
  /** uid → step → ms (performance.now()). Kept for the newest `keep` pods. */
  private readonly steps = new Map<string, Partial<Record<StartupStep, number>>>();
  private readonly keep: number;
  private readonly now: () => number;

  constructor(keep = 1000, now = () => performance.now()) { this.keep = keep; this.now = now; }

  /** Records a step the first time it happens; returns its time. */
  mark(uid: string, step: StartupStep): number {
    let s = this.steps.get(uid);
    if (!s) {
      if (step !== 'seen') return this.now();
      s = {};
      this.steps.set(uid, s);
      if (this.steps.size > this.keep) this.steps.delete(this.steps.keys().next().value!);
    }
    return (s[step] ??= this.now());
  }

  has(uid: string, step: StartupStep): boolean { return this.steps.get(uid)?.[step] !== undefined; }

  /** Seconds from first seen to now, or undefined for a pod not seen by this kubelet's informer. */
  sinceSeen(uid: string): number | undefined {
    const t = this.steps.get(uid)?.seen;
    return t === undefined ? undefined : (this.now() - t) / 1000;
  }

  /** The steps of a pod (ms, performance.now() clock). */
  get(uid: string): Partial<Record<StartupStep, number>> | undefined { return this.steps.get(uid); }
}
