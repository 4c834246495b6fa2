import type { Snapshot } from './snapshot.ts';

/** Data a plugin stores for the rest of one scheduling cycle; clone() is used by preemption's dry runs. */
export interface StateData {
  clone(): StateData;
}

/** Per-cycle data passed to every plugin call (upstream framework.CycleState), plus the cycle's snapshot. */
export class CycleState {
  readonly snapshot: Snapshot;
  private readonly data = new Map<string, StateData>();
  /** Plugins whose Filter is skipped because their PreFilter returned Skip. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose Score is skipped because their PreScore returned Skip. */
  readonly skipScorePlugins = new Set<string>();

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  clone(): CycleState {
    const c = new CycleState(this.snapshot);
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
