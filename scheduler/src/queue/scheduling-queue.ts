// The scheduling queue (upstream internal/queue.PriorityQueue): activeQ ordered by priority then time,
// backoffQ ordered by backoff expiry (1 s doubling per attempt up to 10 s), and unschedulable pods parked
// until a cluster event that may help them, or for at most 5 minutes.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ClusterEvent } from '../framework/interface.ts';
import { podKey, podPriority } from '../framework/pod-info.ts';
import { Heap } from './heap.ts';
import { realClock, type Clock } from './clock.ts';
import { Nominator } from './nominator.ts';

export const DEFAULT_POD_INITIAL_BACKOFF_MS = 1000;
export const DEFAULT_POD_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION_MS = 5 * 60 * 1000;
export const SchedulingGatesPlugin = 'SchedulingGates';

/** Well-known cluster events (upstream framework/events.go). */
export const Events = {
  NodeAdd: { resource: 'Node', action: 'Add', label: 'NodeAdd' },
  NodeUpdate: { resource: 'Node', action: 'Update', label: 'NodeUpdate' },
  NodeDelete: { resource: 'Node', action: 'Delete', label: 'NodeDelete' },
  AssignedPodAdd: { resource: 'AssignedPod', action: 'Add', label: 'AssignedPodAdd' },
  AssignedPodUpdate: { resource: 'AssignedPod', action: 'Update', label: 'AssignedPodUpdate' },
  AssignedPodDelete: { resource: 'AssignedPod', action: 'Delete', label: 'AssignedPodDelete' },
  PodUpdate: { resource: 'Pod', action: 'Update', label: 'PodUpdate' },
  UnschedulableTimeout: { resource: '*', action: '*', label: 'UnschedulableTimeout' },
  ForceActivate: { resource: '*', action: '*', label: 'ForceActivate' },
} as const satisfies Record<string, ClusterEvent>;

/** A pod waiting in the queue (upstream framework.QueuedPodInfo). */
export interface QueuedPodInfo {
  pod: Pod;
  /** When the pod was last added to the queue (or failed); orders activeQ and starts the backoff. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  gated: boolean;
}

export interface QueueOptions {
  clock?: Clock;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  /** Plugin name -> events that may make a pod it rejected schedulable (Framework.eventsToRegister()). */
  eventsToRegister?: Map<string, ClusterEvent[]>;
}

function eventMatches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (registered.resource === '*' && registered.action === '*') return true;
  const resOk =
    registered.resource === '*' ||
    registered.resource === incoming.resource ||
    (registered.resource === 'Pod' && incoming.resource === 'AssignedPod');
  const actOk = registered.action === '*' || registered.action === incoming.action;
  return resOk && actOk;
}

/** Strips what kubelets and the scheduler change without changing schedulability (upstream isPodUpdated). */
function strip(p: Pod): unknown {
  const { status: _s, ...rest } = p;
  const md = { ...(rest.metadata ?? {}) };
  delete md.resourceVersion;
  delete md.generation;
  delete md.managedFields;
  return { ...rest, metadata: md };
}

export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  return JSON.stringify(strip(oldPod)) !== JSON.stringify(strip(newPod));
}

export class SchedulingQueue {
  readonly nominator = new Nominator();
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private eventsToRegister: Map<string, ClusterEvent[]>;

  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done(). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();

  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private waiters: ((p: QueuedPodInfo | null) => void)[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoff = opts.podInitialBackoffMs ?? DEFAULT_POD_INITIAL_BACKOFF_MS;
    this.maxBackoff = opts.podMaxBackoffMs ?? DEFAULT_POD_MAX_BACKOFF_MS;
    this.maxInUnschedulable = opts.podMaxInUnschedulablePodsDurationMs ?? DEFAULT_POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION_MS;
    this.eventsToRegister = opts.eventsToRegister ?? new Map();
    const key = (p: QueuedPodInfo) => podKey(p.pod);
    // PrioritySort: higher priority first, then earlier timestamp.
    this.activeQ = new Heap(key, (a, b) => {
      const pa = podPriority(a.pod);
      const pb = podPriority(b.pod);
      return pa > pb || (pa === pb && a.timestamp < b.timestamp);
    });
    this.backoffQ = new Heap(key, (a, b) => this.backoffTime(a) < this.backoffTime(b));
  }

  setEventsToRegister(m: Map<string, ClusterEvent[]>): void {
    this.eventsToRegister = m;
  }

  /** Starts the periodic flushes: backoff completion every second, leftover unschedulable pods every 30 s. */
  run(): void {
    if (this.timers.length) return;
    this.timers.push(setInterval(() => this.flushBackoffQCompleted(), 1000));
    this.timers.push(setInterval(() => this.flushUnschedulablePodsLeftover(), 30_000));
    for (const t of this.timers) t.unref?.();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.waiters.splice(0)) w(null);
  }

  schedulingCycle(): number {
    return this.cycle;
  }

  private newInfo(pod: Pod): QueuedPodInfo {
    return { pod, timestamp: this.clock.now(), attempts: 0, unschedulablePlugins: new Set(), gated: false };
  }

  /** Backoff for the pod's attempts: initial * 2^(attempts-1), at most max. */
  backoffDuration(p: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < p.attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return d;
  }

  backoffTime(p: QueuedPodInfo): number {
    return p.timestamp + this.backoffDuration(p);
  }

  isPodBackingoff(p: QueuedPodInfo): boolean {
    return this.backoffTime(p) > this.clock.now();
  }

  /** Scheduling gates keep a pod out of activeQ (PreEnqueue). */
  private preEnqueue(p: QueuedPodInfo): boolean {
    const gated = (p.pod.spec?.schedulingGates?.length ?? 0) > 0;
    p.gated = gated;
    if (gated) p.unschedulablePlugins = new Set([SchedulingGatesPlugin]);
    return !gated;
  }

  private moveToActiveQ(p: QueuedPodInfo): boolean {
    const key = podKey(p.pod);
    if (!this.preEnqueue(p)) {
      this.unschedulablePods.set(key, p);
      return false;
    }
    this.unschedulablePods.delete(key);
    this.backoffQ.delete(key);
    this.activeQ.addOrUpdate(p);
    this.wake();
    return true;
  }

  private wake(): void {
    while (this.waiters.length && this.activeQ.length) {
      const w = this.waiters.shift()!;
      w(this.popNow()!);
    }
  }

  /** A new unscheduled pod. */
  add(pod: Pod): void {
    const p = this.newInfo(pod);
    if (pod.status?.nominatedNodeName) this.nominator.addNominatedPod(pod);
    this.moveToActiveQ(p);
  }

  /** Moves the given pods to activeQ right away (upstream Activate). */
  activate(pods: Pod[]): void {
    for (const pod of pods) {
      const key = podKey(pod);
      const p = this.unschedulablePods.get(key) ?? this.backoffQ.get(key);
      if (p) this.moveToActiveQ(p);
    }
  }

  private popNow(): QueuedPodInfo | undefined {
    const p = this.activeQ.pop();
    if (!p) return undefined;
    this.cycle++;
    p.attempts++;
    if (p.initialAttemptTimestamp === undefined) p.initialAttemptTimestamp = this.clock.now();
    this.inFlight.set(podKey(p.pod), p);
    return p;
  }

  /** The next pod to schedule; waits while activeQ is empty. Resolves null once closed. */
  pop(): Promise<QueuedPodInfo | null> {
    if (this.closed) return Promise.resolve(null);
    const p = this.popNow();
    if (p) return Promise.resolve(p);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod's scheduling attempt finished (bound, requeued or dropped). */
  done(pod: Pod): void {
    this.inFlight.delete(podKey(pod));
  }

  /**
   * Puts back a pod whose attempt failed: to backoffQ if a move request happened during its cycle or it failed
   * with an error (no rejecting plugin), else parked as unschedulable.
   */
  addUnschedulableIfNotPresent(p: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = podKey(p.pod);
    // A pod deleted while it was being scheduled is not requeued.
    if (!this.inFlight.has(key)) return;
    this.inFlight.delete(key);
    if (this.unschedulablePods.has(key) || this.activeQ.has(key) || this.backoffQ.has(key)) return;
    p.timestamp = this.clock.now();
    if (p.pod.status?.nominatedNodeName) this.nominator.addNominatedPod(p.pod);
    if (this.moveRequestCycle >= podSchedulingCycle || p.unschedulablePlugins.size === 0) {
      if (!this.preEnqueue(p)) this.unschedulablePods.set(key, p);
      else this.backoffQ.addOrUpdate(p);
      return;
    }
    this.unschedulablePods.set(key, p);
  }

  /** Moves pods whose backoff has expired to activeQ. */
  flushBackoffQCompleted(): void {
    for (;;) {
      const p = this.backoffQ.peek();
      if (!p || this.isPodBackingoff(p)) return;
      this.backoffQ.pop();
      this.moveToActiveQ(p);
    }
  }

  /** Moves pods unschedulable for longer than the limit to activeQ/backoffQ. */
  flushUnschedulablePodsLeftover(): void {
    const now = this.clock.now();
    const stale = [...this.unschedulablePods.values()].filter((p) => !p.gated && now - p.timestamp > this.maxInUnschedulable);
    if (stale.length) this.movePodsToActiveOrBackoffQueue(stale, Events.UnschedulableTimeout);
  }

  private podMatchesEvent(p: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event.resource === '*' && event.action === '*') return true;
    if (p.unschedulablePlugins.size === 0) return true;
    for (const pl of p.unschedulablePlugins) {
      const evs = this.eventsToRegister.get(pl);
      if (!evs) return true; // unknown plugin: be conservative
      if (evs.some((e) => eventMatches(e, event))) return true;
    }
    return false;
  }

  private movePodsToActiveOrBackoffQueue(pods: QueuedPodInfo[], event: ClusterEvent): void {
    for (const p of pods) {
      if (p.gated) continue;
      if (!this.podMatchesEvent(p, event)) continue;
      const key = podKey(p.pod);
      if (this.isPodBackingoff(p)) {
        this.unschedulablePods.delete(key);
        this.backoffQ.addOrUpdate(p);
      } else {
        this.moveToActiveQ(p);
      }
    }
    this.moveRequestCycle = this.cycle;
  }

  /**
   * A cluster event happened that may make parked pods schedulable; those rejected by a plugin that registered
   * the event (or with no rejecting plugin) move to activeQ, or backoffQ while their backoff lasts.
   * `preCheck` may exclude pods (e.g. by the added pod's labels).
   */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, preCheck?: (pod: Pod) => boolean): void {
    const pods = [...this.unschedulablePods.values()].filter((p) => !preCheck || preCheck(p.pod));
    this.movePodsToActiveOrBackoffQueue(pods, event);
  }

  assignedPodAdded(pod: Pod): void {
    void pod;
    this.moveAllToActiveOrBackoffQueue(Events.AssignedPodAdd);
  }

  assignedPodUpdated(_oldPod: Pod, newPod: Pod): void {
    void newPod;
    this.moveAllToActiveOrBackoffQueue(Events.AssignedPodUpdate);
  }

  /** An unscheduled pod changed: update it where it waits; a parked pod whose spec changed is retried. */
  update(oldPod: Pod | null, newPod: Pod): void {
    const key = podKey(newPod);
    if (oldPod) this.nominator.updateNominatedPod(oldPod, newPod);
    const inActive = this.activeQ.get(key);
    if (inActive) {
      inActive.pod = newPod;
      this.activeQ.addOrUpdate(inActive);
      return;
    }
    const inBackoff = this.backoffQ.get(key);
    if (inBackoff) {
      inBackoff.pod = newPod;
      this.backoffQ.addOrUpdate(inBackoff);
      return;
    }
    const parked = this.unschedulablePods.get(key);
    if (parked) {
      const changed = !oldPod || isPodUpdated(oldPod, newPod);
      parked.pod = newPod;
      if (changed) {
        if (parked.gated) {
          this.moveToActiveQ(parked);
          return;
        }
        if (this.isPodBackingoff(parked)) {
          this.unschedulablePods.delete(key);
          this.backoffQ.addOrUpdate(parked);
        } else this.moveToActiveQ(parked);
      }
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.pod = newPod;
      return;
    }
    this.add(newPod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.nominator.deleteNominatedPodIfExists(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulablePods.delete(key);
    this.inFlight.delete(key);
  }

  nominatedPodsForNode(nodeName: string): Pod[] {
    return this.nominator.nominatedPodsForNode(nodeName);
  }

  /** Where each queued pod is (for tests, metrics and debugging). */
  pendingPods(): { active: Pod[]; backoff: Pod[]; unschedulable: Pod[] } {
    return {
      active: this.activeQ.list().map((p) => p.pod),
      backoff: this.backoffQ.list().map((p) => p.pod),
      unschedulable: [...this.unschedulablePods.values()].map((p) => p.pod),
    };
  }

  counts(): { active: number; backoff: number; unschedulable: number; gated: number } {
    let gated = 0;
    for (const p of this.unschedulablePods.values()) if (p.gated) gated++;
    return { active: this.activeQ.length, backoff: this.backoffQ.length, unschedulable: this.unschedulablePods.size - gated, gated };
  }

  has(pod: Pod): boolean {
    const key = podKey(pod);
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulablePods.has(key) || this.inFlight.has(key);
  }
}
