// ControllerExpectations (pkg/controller/controller_utils.go): how many creations and which deletions a
// controller is still waiting to see in its cache. While some are outstanding (and younger than the
// TTL) the controller does not act on the count of pods, so a slow cache never makes it create twice.

/** Expectations older than this are considered satisfied anyway (upstream: 5 minutes). */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expectation { add: number; del: number; timestamp: number; deleteKeys: Set<string> }

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();
  private readonly now: () => number;

  constructor(now: () => number = () => Date.now()) { this.now = now; }

  /** True when nothing is outstanding, nothing was ever recorded, or the record expired. */
  satisfiedExpectations(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > expectationsTimeoutMs;
  }

  expectCreations(key: string, adds: number): void {
    this.store.set(key, { add: adds, del: 0, timestamp: this.now(), deleteKeys: new Set() });
  }

  /** Expects the deletion of these pods (by namespace/name key), as UIDTrackingControllerExpectations. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.store.set(key, { add: 0, del: podKeys.length, timestamp: this.now(), deleteKeys: new Set(podKeys) });
  }

  creationObserved(key: string): void { this.lower(key, 1, 0); }

  /** A pod of this controller went (or started going) away; counts once per expected pod. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.store.get(key);
    if (!e || !e.deleteKeys.delete(podKey)) return;
    e.del--;
  }

  /** Creations that were skipped or failed will never be observed. */
  lowerExpectations(key: string, add: number, del: number): void { this.lower(key, add, del); }

  deleteExpectations(key: string): void { this.store.delete(key); }

  get(key: string): { add: number; del: number } | undefined {
    const e = this.store.get(key);
    return e && { add: e.add, del: e.del };
  }

  private lower(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }
}
