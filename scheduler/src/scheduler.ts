// The scheduler loop (upstream pkg/scheduler/scheduler.go + schedule_one.go + eventhandlers.go), with all API
// effects behind the SchedulerAPI adapter: informer events feed the cache and queue, scheduleOne() pops a pod,
// decides with the pure core, assumes it and binds asynchronously, or records why it failed and requeues it.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1';
import { Cache } from './cache.ts';
import { Framework, type Profile } from './framework/runtime.ts';
import { Snapshot } from './framework/snapshot.ts';
import { podKey } from './framework/pod-info.ts';
import { FitError } from './fit-error.ts';
import { defaultProfile } from './plugins/registry.ts';
import { realClock, type Clock } from './queue/clock.ts';
import { Events, SchedulingQueue, type QueuedPodInfo } from './queue/scheduling-queue.ts';
import { ErrNoNodesAvailable, scheduleOne, type ScheduleOutcome } from './schedule-one.ts';
import type { CycleState } from './framework/cycle-state.ts';
import type { DefaultSelectorFunc } from './plugins/pod-topology-spread.ts';

/** How long the scheduling loop runs before it lets pending I/O through. */
const schedulingSliceMs = 5;

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Everything the scheduler does to the outside world. */
export interface SchedulerAPI {
  /** POST pods/<name>/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Patches status: the PodScheduled condition and/or status.nominatedNodeName (null clears it). */
  updatePodStatus(pod: Pod, update: { condition?: PodCondition; nominatedNodeName?: string | null }): Promise<void>;
  /** Preemption: adds the DisruptionTarget condition to the victim and deletes it. */
  preemptPod(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /** Records an event about `obj` (fire and forget). */
  event(obj: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SchedulerOptions {
  /** Profiles by schedulerName; default: the default profile binding through api.bind. */
  profiles?: Profile[];
  clock?: Clock;
  random?: () => number;
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  onError?: (err: unknown, what: string) => void;
  /** Name of the default profile (pods with this spec.schedulerName are scheduled); default "default-scheduler". */
  schedulerName?: string;
  /** Namespace labels for pod affinity terms' namespaceSelector. */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  /** For PodTopologySpread's system default constraints in the default profile. */
  defaultSpreadSelector?: DefaultSelectorFunc;
  /** Observes each attempt (result, profile, seconds) and preemptions; see metrics.ts. */
  metrics?: { observeAttempt(result: string, profile: string, seconds: number): void; observePreemption(victims: number): void };
}

export interface SchedulingResult {
  pod: Pod;
  outcome: ScheduleOutcome['kind'] | 'skipped';
  node?: string;
  message?: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Whether a node update may make pods schedulable (upstream nodeSchedulingPropertiesChange): spec.unschedulable,
 * allocatable, labels, taints, annotations, or the type/status of a condition changed.
 */
export function nodeSchedulingPropertiesChanged(oldNode: Node, newNode: Node): boolean {
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();
  return (
    !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable ||
    !same(oldNode.status?.allocatable, newNode.status?.allocatable) ||
    !same(oldNode.metadata?.labels, newNode.metadata?.labels) ||
    !same(oldNode.spec?.taints, newNode.spec?.taints) ||
    !same(oldNode.metadata?.annotations, newNode.metadata?.annotations) ||
    !same(conds(oldNode), conds(newNode))
  );
}

export class Scheduler {
  readonly cache: Cache;
  readonly queue: SchedulingQueue;
  readonly frameworks = new Map<string, Framework>();
  private readonly api: SchedulerAPI;
  private readonly random: () => number;
  private readonly onError: (err: unknown, what: string) => void;
  private readonly snapshot = new Snapshot();
  private nextStartNodeIndex = 0;
  private readonly bindings = new Set<Promise<void>>();
  private readonly metrics: SchedulerOptions['metrics'];

  constructor(api: SchedulerAPI, opts: SchedulerOptions = {}) {
    this.api = api;
    this.metrics = opts.metrics;
    const clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.onError = opts.onError ?? (() => {});
    const profiles = opts.profiles ?? [
      defaultProfile({
        schedulerName: opts.schedulerName,
        bind: (pod, node) => api.bind(pod, node),
        percentageOfNodesToScore: opts.percentageOfNodesToScore,
        defaultSpreadSelector: opts.defaultSpreadSelector,
        namespaceLabels: opts.namespaceLabels,
      }),
    ];
    for (const p of profiles) this.frameworks.set(p.schedulerName, new Framework(p));
    this.cache = new Cache({ clock });
    this.queue = new SchedulingQueue({
      clock,
      podInitialBackoffMs: opts.podInitialBackoffMs,
      podMaxBackoffMs: opts.podMaxBackoffMs,
      podMaxInUnschedulablePodsDurationMs: opts.podMaxInUnschedulablePodsDurationMs,
    });
    const events = new Map();
    for (const fw of this.frameworks.values()) {
      for (const [k, v] of fw.eventsToRegister()) events.set(k, v);
      fw.nominatedPodsForNode = (n) => this.queue.nominatedPodsForNode(n);
      fw.hasNominatedPods = () => this.queue.nominator.hasNominatedPods();
    }
    this.queue.setEventsToRegister(events);
  }

  private responsibleFor(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
  }

  // ---- event handlers (informers call these) ----

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoffQueue(Events.NodeAdd);
  }

  onNodeUpdate(oldNode: Node, newNode: Node): void {
    this.cache.updateNode(oldNode, newNode);
    // Heartbeats (condition timestamps, images, ...) do not make anything schedulable.
    if (nodeSchedulingPropertiesChanged(oldNode, newNode)) this.queue.moveAllToActiveOrBackoffQueue(Events.NodeUpdate);
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node);
  }

  onPodAdd(pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.cache.addPod(pod);
      this.queue.assignedPodAdded(pod);
      return;
    }
    if (!this.responsibleFor(pod) || pod.metadata?.deletionTimestamp) return;
    this.queue.add(pod);
  }

  onPodUpdate(oldPod: Pod, newPod: Pod): void {
    if (newPod.spec?.nodeName) {
      if (!oldPod.spec?.nodeName) {
        // bound: leaves the queue, joins the cache (confirming an assumed pod)
        this.queue.delete(oldPod);
        this.cache.addPod(newPod);
        this.queue.assignedPodAdded(newPod);
        return;
      }
      this.cache.updatePod(oldPod, newPod);
      // Only label changes (affinity, spreading) or smaller requests can help pending pods.
      const labelsChanged = !same(oldPod.metadata?.labels, newPod.metadata?.labels);
      const resourcesChanged = !same(oldPod.spec?.containers?.map((c) => c.resources), newPod.spec?.containers?.map((c) => c.resources));
      if (labelsChanged || resourcesChanged) this.queue.assignedPodUpdated(oldPod, newPod);
      return;
    }
    if (!this.responsibleFor(newPod)) return;
    if (newPod.metadata?.deletionTimestamp) {
      this.queue.delete(newPod);
      return;
    }
    // A pod we assumed but whose binding is not visible yet: nothing to queue.
    if (this.cache.isAssumedPod(newPod)) return;
    this.queue.update(oldPod, newPod);
  }

  onPodDelete(pod: Pod): void {
    if (pod.spec?.nodeName || this.cache.getPod(pod)) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete);
      if (!pod.spec?.nodeName) this.queue.delete(pod);
      return;
    }
    this.queue.delete(pod);
  }

  // ---- scheduling ----

  /** Schedules the next pod (waiting for one). Resolves null once the queue is closed. */
  async scheduleNext(): Promise<SchedulingResult | null> {
    const pInfo = await this.queue.pop();
    if (!pInfo) return null;
    return this.scheduleQueued(pInfo);
  }

  private async scheduleQueued(pInfo: QueuedPodInfo): Promise<SchedulingResult> {
    const start = performance.now();
    let r: SchedulingResult;
    try {
      r = await this.attempt(pInfo);
    } catch (e) {
      // A bug in a plugin must not stop the loop: the pod is retried after its backoff.
      this.onError(e, `schedule pod ${podKey(pInfo.pod)}`);
      const fw = this.frameworks.get(pInfo.pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME)!;
      const err = e instanceof Error ? e : new Error(String(e));
      await this.handleFailure(fw, pInfo, { kind: 'error', error: err, state: null as never, nextStartNodeIndex: this.nextStartNodeIndex }, this.queue.schedulingCycle());
      r = { pod: pInfo.pod, outcome: 'error', message: err.message };
    }
    if (r.outcome !== 'skipped') {
      const profile = pInfo.pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME;
      this.metrics?.observeAttempt(r.outcome, profile, (performance.now() - start) / 1000);
    }
    return r;
  }

  private async attempt(pInfo: QueuedPodInfo): Promise<SchedulingResult> {
    const pod = pInfo.pod;
    const fw = this.frameworks.get(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
    if (!fw || pod.metadata?.deletionTimestamp || this.cache.isAssumedPod(pod)) {
      this.queue.done(pod);
      return { pod, outcome: 'skipped' };
    }
    const cycle = this.queue.schedulingCycle();
    this.cache.updateSnapshot(this.snapshot);
    const out = scheduleOne(fw, pod, this.snapshot, { nextStartNodeIndex: this.nextStartNodeIndex, random: this.random });
    this.nextStartNodeIndex = out.nextStartNodeIndex;

    if (out.kind !== 'scheduled') {
      await this.handleFailure(fw, pInfo, out, cycle);
      return { pod, outcome: out.kind, message: out.error.message };
    }
    const host = out.result.suggestedHost;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: host } };
    try {
      this.cache.assumePod(assumed);
    } catch (e) {
      await this.handleFailure(fw, pInfo, { kind: 'error', error: e as Error, state: out.state, nextStartNodeIndex: out.nextStartNodeIndex }, cycle);
      return { pod, outcome: 'error', message: (e as Error).message };
    }
    this.queue.nominator.deleteNominatedPodIfExists(pod);
    const reserve = fw.runReservePluginsReserve(out.state, assumed, host);
    if (reserve) {
      fw.runReservePluginsUnreserve(out.state, assumed, host);
      this.cache.forgetPod(assumed);
      const err = new Error(reserve.message());
      await this.handleFailure(fw, pInfo, { kind: 'error', error: err, state: out.state, nextStartNodeIndex: out.nextStartNodeIndex }, cycle);
      return { pod, outcome: 'error', message: err.message };
    }
    const b = this.bindingCycle(fw, out.state, pInfo, assumed, host, cycle);
    this.bindings.add(b);
    void b.finally(() => this.bindings.delete(b));
    return { pod, outcome: 'scheduled', node: host };
  }

  private async bindingCycle(fw: Framework, state: CycleState, pInfo: QueuedPodInfo, assumed: Pod, host: string, cycle: number): Promise<void> {
    const s = await fw.runBindPlugins(state, assumed, host);
    if (!s) {
      this.cache.finishBinding(assumed);
      this.queue.done(assumed);
      const ns = assumed.metadata?.namespace ?? 'default';
      this.api.event(assumed, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${assumed.metadata?.name} to ${host}`);
      return;
    }
    fw.runReservePluginsUnreserve(state, assumed, host);
    try {
      this.cache.forgetPod(assumed);
    } catch (e) {
      this.onError(e, 'forget pod');
    }
    // The assumed pod's resources are free again.
    this.queue.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete);
    const err = s.error ?? new Error(s.message());
    await this.handleFailure(fw, pInfo, { kind: 'error', error: err, state, nextStartNodeIndex: this.nextStartNodeIndex }, cycle);
  }

  private async handleFailure(
    fw: Framework,
    pInfo: QueuedPodInfo,
    out: Exclude<ScheduleOutcome, { kind: 'scheduled' }>,
    cycle: number,
  ): Promise<void> {
    const pod = pInfo.pod;
    // No nodes at all is UnschedulableAndUnresolvable upstream, not a scheduler error.
    const isFit = (out.kind === 'unschedulable' && out.error instanceof FitError) || out.error.message === ErrNoNodesAvailable;
    let nominatedNodeName: string | null | undefined;
    if (out.kind === 'unschedulable') {
      pInfo.unschedulablePlugins = new Set(out.error.diagnosis.unschedulablePlugins ?? []);
      const r = out.postFilterResult;
      if (r) {
        nominatedNodeName = r.nominatedNodeName || null;
        if (r.nominatedNodeName) {
          this.metrics?.observePreemption(r.victims?.length ?? 0);
          await this.preemptVictims(pod, r.nominatedNodeName, r.victims ?? [], r.nominatedPodsToClear ?? []);
          this.queue.nominator.addNominatedPod(pod, r.nominatedNodeName);
        } else {
          this.queue.nominator.deleteNominatedPodIfExists(pod);
        }
      }
    } else {
      pInfo.unschedulablePlugins = new Set();
    }
    this.queue.addUnschedulableIfNotPresent(pInfo, cycle);
    const msg = out.error.message;
    this.api.event(pod, 'Warning', 'FailedScheduling', msg);
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: isFit ? 'Unschedulable' : 'SchedulerError',
      message: msg,
      lastProbeTime: null as unknown as string,
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const current = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const conditionChanged = !current || current.status !== 'False' || current.reason !== condition.reason || current.message !== msg;
    const nominationChanged = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? null) !== nominatedNodeName;
    if (conditionChanged || nominationChanged) {
      if (current && current.status === condition.status) condition.lastTransitionTime = current.lastTransitionTime;
      try {
        await this.api.updatePodStatus(pod, { condition: conditionChanged ? condition : undefined, nominatedNodeName });
      } catch (e) {
        this.onError(e, `update status of pod ${podKey(pod)}`);
      }
    }
  }

  private async preemptVictims(preemptor: Pod, node: string, victims: Pod[], toClear: Pod[]): Promise<void> {
    await Promise.all(
      victims.map(async (v) => {
        try {
          await this.api.preemptPod(v, preemptor, node);
          this.api.event(v, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid} on node ${node}`);
        } catch (e) {
          this.onError(e, `preempt pod ${podKey(v)}`);
        }
      }),
    );
    for (const p of toClear) {
      this.queue.nominator.deleteNominatedPodIfExists(p);
      try {
        await this.api.updatePodStatus(p, { nominatedNodeName: null });
      } catch (e) {
        this.onError(e, `clear nomination of pod ${podKey(p)}`);
      }
    }
  }

  /** Waits until every binding started so far has finished. */
  async waitForBindings(): Promise<void> {
    while (this.bindings.size) await Promise.allSettled([...this.bindings]);
  }

  /** Schedules pods until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run();
    const stop = () => this.queue.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      let sliceStart = performance.now();
      while (!signal.aborted) {
        const r = await this.scheduleNext();
        if (!r) break;
        // With pods waiting, cycles follow each other in microtasks and would starve the event loop: the
        // bindings' requests and responses and the informers' events (upstream runs them on goroutines of
        // their own). Give I/O a turn every few milliseconds of scheduling.
        if (performance.now() - sliceStart >= schedulingSliceMs) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.queue.close();
      await this.waitForBindings();
    }
  }
}
