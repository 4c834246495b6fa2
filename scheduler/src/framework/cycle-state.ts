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

  /** Changes on every write or delete (lets StateReader keep what it read). */
  version = 0;

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
    this.version++;
  }

  delete(key: string): void {
    this.data.delete(key);
    this.version++;
  }

  clone(): CycleState {
    const c = new CycleState(this.snapshot);
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}

/**
 * Reads one key of the cycle state, remembering the answer while the state is the same object at the same
 * version: a plugin's Filter/Score reads its PreFilter/PreScore data once per cycle instead of once per node.
 */
export class StateReader<T extends StateData> {
  readonly key: string;
  private state: CycleState | null = null;
  private version = -1;
  private data: T | undefined;

  constructor(key: string) {
    this.key = key;
  }

  read(state: CycleState): T | undefined {
    if (state === this.state && state.version === this.version) return this.data;
    this.data = state.read<T>(this.key);
    this.state = state;
    this.version = state.version;
    return this.data;
  }
}
