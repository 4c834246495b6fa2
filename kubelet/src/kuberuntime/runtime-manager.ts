// The kubelet's runtime manager (upstream kubeGenericRuntimeManager): carries out the actions
// computePodActions decides — kill, sandbox creation, image pulls, container creation with
// CrashLoopBackOff — and tears pods down. All runtime I/O goes through the CRI client.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { Logger } from '@k8ts/client';
import type { CriClient } from '../cri/client.ts';
import { isNotFound } from '../cri/errors.ts';
import type { PodSandboxConfig } from '../cri/types.ts';
import { Backoff } from '../pod-workers/backoff.ts';
import { computePodActions, type ProbeState } from '../pod-workers/compute-pod-actions.ts';
import { containerConfig } from './container-config.ts';
import { containerRef, noEvents, type PodEventRecorder } from './events.ts';
import { runHandler } from './hooks.ts';
import { ensureHostsFile, hostsMount } from './etc-hosts.ts';
import { CreateContainerConfigError, makeEnvironment, type ConfigSource } from './env.ts';
import { ImageError, ImageManager } from './image-manager.ts';
import type { ContainerType } from './labels.ts';
import { getPodRuntimeState, refreshPodRuntimeState, latestContainer, containerHistory, type PodRuntimeState } from './runtime-state.ts';
import { podSandboxConfig, type DnsSettings } from './sandbox-config.ts';
import { containerMounts, setUpVolumes } from './volumes.ts';
import type { StartupStep } from '../metrics/pod-startup.ts';
import { Semaphore } from '@k8ts/client/semaphore.ts';

/** Why a container is waiting, as the last sync found (upstream reasonCache). */
export interface WaitingReason { reason: string; message: string }

export interface SyncResult {
  state: PodRuntimeState;
  /** Per container name (init containers prefixed "init:"): why it could not start this time. */
  reasons: Map<string, WaitingReason>;
  /** Sync again after this long (backoffs ending). */
  requeueAfterMs?: number;
}

export interface RuntimeManagerOptions {
  cri: CriClient;
  config: ConfigSource;
  rootDir: string;
  podLogsDir: string;
  dns: DnsSettings;
  nodeIPs: string[];
  nodeMemoryBytes: number;
  log: Logger;
  crashLoopBackoff?: Backoff;
  imageBackoff?: Backoff;
  record?: PodEventRecorder;
  /**
   * At most this many RunPodSandbox calls at once (k8ts, not upstream: unlimited when absent). Under a
   * burst the runtime then finishes the first pods early instead of all of them late.
   */
  maxParallelSandboxCreations?: number;
  /** Start steps, for the pod startup tracker. */
  trace?: (uid: string, step: StartupStep) => void;
}

export const reasonKey = (type: ContainerType, name: string) => (type === 'INIT' ? `init:${name}` : name);

/** Grace period of a pod being deleted (deletionGracePeriodSeconds), else its spec's. */
export function gracePeriodOf(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export class RuntimeManager {
  readonly cri: CriClient;
  private readonly o: RuntimeManagerOptions;
  readonly crashLoop: Backoff;
  readonly images: ImageManager;
  private readonly record: PodEventRecorder;
  private readonly trace: (uid: string, step: StartupStep) => void;
  private readonly sandboxSlots: Semaphore | undefined;

  constructor(o: RuntimeManagerOptions) {
    this.o = o;
    this.cri = o.cri;
    this.record = o.record ?? noEvents;
    this.trace = o.trace ?? (() => undefined);
    this.sandboxSlots = o.maxParallelSandboxCreations ? new Semaphore(o.maxParallelSandboxCreations) : undefined;
    this.crashLoop = o.crashLoopBackoff ?? new Backoff();
    this.images = new ImageManager(o.cri, o.imageBackoff, this.record);
  }

  getPodState(uid: string): Promise<PodRuntimeState> { return getPodRuntimeState(this.cri, uid); }

  /** Brings the runtime one step closer to the pod's spec (upstream SyncPod). */
  async syncPod(pod: Pod, probes: ProbeState = {}, cgroupParent?: string): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const log = this.o.log.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
    let state = await this.getPodState(uid);
    const actions = computePodActions(pod, state, probes);
    const reasons = new Map<string, WaitingReason>();
    let requeue: number | undefined;
    const requeueIn = (ms: number) => { requeue = requeue === undefined ? ms : Math.min(requeue, ms); };

    if (actions.killPod) {
      log.debug({ actions }, 'killing pod before (re)creating the sandbox');
      await this.killPodContainers(state, pod, gracePeriodOf(pod));
      for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.stopSandbox(s.id);
    } else {
      for (const k of actions.containersToKill) {
        log.info({ container: k.name, reason: k.reason }, k.message);
        const c = state.containers.find((x) => x.id === k.id);
        if (c) await this.killContainer(pod, c, gracePeriodOf(pod), `${k.message}, will be restarted`);
      }
    }
    if (actions.killPod && !actions.createSandbox) return { state: await this.getPodState(uid), reasons };

    const toStart: { c: Container; type: ContainerType }[] = [];
    if (actions.nextInitContainerToStart !== undefined) toStart.push({ c: pod.spec!.initContainers![actions.nextInitContainerToStart]!, type: 'INIT' });
    for (const i of actions.containersToStart) toStart.push({ c: pod.spec!.containers[i]!, type: 'CONTAINER' });
    // A new pod's images are checked (and pulled) while its sandbox is being created: neither needs the other.
    const images = new Map<string, Promise<string>>();
    if (actions.createSandbox) {
      for (const { c, type } of toStart) {
        if (latestContainer(state, c.name, type)) continue; // restarts go through the crash-loop check first
        const p = this.images.ensureImageExists(pod, c, type === 'INIT');
        p.catch(() => undefined);
        images.set(reasonKey(type, c.name), p);
      }
    }
    const sandboxConfig = podSandboxConfig(pod, actions.attempt, { podLogsDir: this.o.podLogsDir, dns: this.o.dns, cgroupParent });
    let sandboxId = actions.sandboxId;
    let podIPs: string[] = state.sandboxes[0]?.ip ? [state.sandboxes[0].ip, ...state.sandboxes[0].additionalIps] : [];
    if (actions.createSandbox) {
      log.info({ attempt: actions.attempt }, 'creating pod sandbox');
      sandboxId = this.sandboxSlots ? await this.sandboxSlots.run(() => this.cri.runPodSandbox(sandboxConfig)) : await this.cri.runPodSandbox(sandboxConfig);
      this.trace(uid, 'sandboxCreated');
      const st = (await this.cri.podSandboxStatus(sandboxId)).status;
      this.trace(uid, 'sandboxStatus');
      podIPs = st?.network?.ip ? [st.network.ip, ...st.network.additionalIps.map((a) => a.ip)] : [];
      // Older (stopped) sandboxes stay until the pod goes away: their exited containers carry the restart counts.
      state = { ...state, sandboxes: [{
        id: sandboxId, attempt: actions.attempt, state: st?.state ?? 'SANDBOX_READY', createdAt: st?.createdAt ?? Date.now() * 1e6,
        ip: podIPs[0] ?? '', additionalIps: podIPs.slice(1), hostNetwork: pod.spec?.hostNetwork === true,
      }, ...state.sandboxes] };
    }
    const net = { podIPs, hostIPs: this.o.nodeIPs };
    if (podIPs[0]) this.podIPs.set(uid, podIPs[0]);

    if (toStart.length === 0 && state.containers.some((c) => c.state === 'CONTAINER_RUNNING')) {
      // Keep ConfigMap / Secret / downward API volumes of running pods in sync.
      await setUpVolumes(this.o.rootDir, pod, this.o.config, net).catch((err: unknown) => log.debug({ err: String(err) }, 'refreshing volumes failed'));
    }
    if (toStart.length > 0) {
      try {
        await setUpVolumes(this.o.rootDir, pod, this.o.config, net);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const t of toStart) reasons.set(reasonKey(t.type, t.c.name), { reason: 'CreateContainerConfigError', message });
        return { state, reasons, requeueAfterMs: 2000 };
      }
    }
    const created: string[] = [];
    for (const { c, type } of toStart) {
      const r = await this.startContainer(pod, c, type, state, sandboxId, sandboxConfig, net, requeueIn, images.get(reasonKey(type, c.name)), (id) => created.push(id));
      if (r) reasons.set(reasonKey(type, c.name), r);
    }
    this.garbageCollect(state).catch((err: unknown) => log.debug({ err }, 'container garbage collection failed'));
    // Nothing done: the state read at the start stands. Otherwise re-read what is known, without listing again.
    const acted = actions.killPod || actions.containersToKill.length > 0 || actions.createSandbox || created.length > 0;
    const after = acted ? await refreshPodRuntimeState(this.cri, state, created.map((id) => ({ id, podSandboxId: sandboxId }))) : state;
    return { state: after, reasons, requeueAfterMs: requeue };
  }

  private async startContainer(pod: Pod, c: Container, type: ContainerType, state: PodRuntimeState, sandboxId: string,
    sandboxConfig: PodSandboxConfig, net: { podIPs: string[]; hostIPs: string[] }, requeueIn: (ms: number) => void,
    image: Promise<string> | undefined, onCreated: (id: string) => void): Promise<WaitingReason | undefined> {
    const prev = latestContainer(state, c.name, type);
    // CrashLoopBackOff: a container that ran and exited waits out its backoff before the next start.
    if (prev && prev.state === 'CONTAINER_EXITED' && prev.finishedAt > 0) {
      const key = `${pod.metadata?.uid}/${reasonKey(type, c.name)}`;
      const finishedMs = prev.finishedAt / 1e6;
      const left = this.crashLoop.inBackoffSince(key, finishedMs);
      if (left > 0) {
        requeueIn(left);
        const delay = Math.round(this.crashLoop.get(key) / 1000);
        this.record(containerRef(pod, c.name, type === 'INIT'), 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`);
        return { reason: 'CrashLoopBackOff', message: `back-off ${formatDelay(delay)} restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})` };
      }
      this.crashLoop.next(key, finishedMs);
    }
    let imageRef: string;
    try {
      imageRef = await (image ?? this.images.ensureImageExists(pod, c, type === 'INIT'));
      this.trace(pod.metadata?.uid ?? '', 'imageReady');
    } catch (err) {
      if (err instanceof ImageError) {
        this.record(containerRef(pod, c.name, type === 'INIT'), 'Warning', 'Failed', `Error: ${err.reason}`);
        requeueIn(Math.max(1000, this.images.backoff.inBackoffSinceUpdate(`${pod.metadata?.uid}/${c.image}`)));
        return { reason: err.reason, message: err.message };
      }
      throw err;
    }
    const restartCount = prev ? prev.restartCount + 1 : 0;
    let config;
    try {
      const env = await makeEnvironment(pod, c, this.o.config, net);
      const hosts = ensureHostsFile(this.o.rootDir, pod, net.podIPs, this.o.dns.clusterDomain);
      const mounts = [...containerMounts(this.o.rootDir, pod, c), ...hostsMount(hosts, c)];
      config = containerConfig({ pod, container: c, type, restartCount, imageRef, env, mounts, nodeMemoryBytes: this.o.nodeMemoryBytes });
    } catch (err) {
      if (err instanceof CreateContainerConfigError) {
        this.record(containerRef(pod, c.name, type === 'INIT'), 'Warning', 'Failed', `Error: ${err.message}`);
        requeueIn(2000);
        return { reason: 'CreateContainerConfigError', message: err.message }; }
      throw err;
    }
    const ref = containerRef(pod, c.name, type === 'INIT');
    let id = '';
    try {
      id = await this.cri.createContainer(sandboxId, config, sandboxConfig);
    } catch (err) {
      requeueIn(1000);
      const message = err instanceof Error ? err.message : String(err);
      this.record(ref, 'Warning', 'Failed', `Error: ${message}`);
      return { reason: 'CreateContainerError', message };
    }
    onCreated(id);
    this.trace(pod.metadata?.uid ?? '', 'containerCreated');
    this.record(ref, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.cri.startContainer(id);
    } catch (err) {
      // Upstream reports a failed start as RunContainerError; the container stays as exited.
      requeueIn(1000);
      const message = err instanceof Error ? err.message : String(err);
      this.record(ref, 'Warning', 'Failed', `Error: ${message}`);
      return { reason: 'RunContainerError', message };
    }
    this.trace(pod.metadata?.uid ?? '', 'containerStarted');
    this.record(ref, 'Normal', 'Started', `Started container ${c.name}`);
    if (c.lifecycle?.postStart) {
      const err = await runHandler(this.cri, c.lifecycle.postStart, id, c, net.podIPs[0] ?? '', gracePeriodOf(pod));
      if (err) {
        this.record(ref, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${err}`);
        await this.killContainer(pod, { id, name: c.name, type, state: 'CONTAINER_RUNNING' }, gracePeriodOf(pod), `FailedPostStartHook`);
        return { reason: 'PostStartHookError', message: err };
      }
    }
    this.o.log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container: c.name, restartCount }, 'started container');
    return undefined;
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    try { await this.cri.stopContainer(id, Math.max(0, gracePeriodSeconds)); } catch (err) { if (!isNotFound(err)) throw err; }
  }

  private async killPodContainers(state: PodRuntimeState, pod: Pod | undefined, gracePeriodSeconds: number): Promise<void> {
    await Promise.all(state.containers
      .filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED')
      .map((c) => this.killContainer(pod, c, gracePeriodSeconds)));
  }

  /** preStop hook (within the grace period), then StopContainer with what is left of it (upstream killContainer). */
  private async killContainer(pod: Pod | undefined, c: { id: string; name: string; type: ContainerType; state: string }, gracePeriodSeconds: number, message?: string): Promise<void> {
    const specs = c.type === 'INIT' ? pod?.spec?.initContainers : pod?.spec?.containers;
    const spec = specs?.find((x) => x.name === c.name);
    let grace = gracePeriodSeconds;
    if (pod) this.record(containerRef(pod, c.name, c.type === 'INIT'), 'Normal', 'Killing', message ?? `Stopping container ${c.name}`);
    if (pod && spec?.lifecycle?.preStop && c.state === 'CONTAINER_RUNNING' && grace > 0) {
      const t0 = Date.now();
      const err = await runHandler(this.cri, spec.lifecycle.preStop, c.id, spec, this.podIP(pod), grace);
      if (err) this.record(containerRef(pod, c.name), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${err}`);
      grace = Math.max(2, grace - Math.ceil((Date.now() - t0) / 1000));
    }
    await this.stopContainer(c.id, grace);
  }

  private readonly podIPs = new Map<string, string>();
  private podIP(pod: Pod): string { return this.podIPs.get(pod.metadata?.uid ?? '') ?? pod.status?.podIP ?? ''; }

  private async stopSandbox(id: string): Promise<void> {
    try { await this.cri.stopPodSandbox(id); } catch (err) { if (!isNotFound(err)) throw err; }
  }

  private async removeSandbox(id: string): Promise<void> {
    await this.stopSandbox(id);
    try { await this.cri.removePodSandbox(id); } catch (err) { if (!isNotFound(err)) throw err; }
  }

  /** Stops every container (with the grace period) and sandbox of the pod (upstream KillPod). */
  async killPod(uid: string, gracePeriodSeconds: number, pod?: Pod): Promise<PodRuntimeState> {
    const state = await this.getPodState(uid);
    const running = state.containers.some((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
    const ready = state.sandboxes.filter((s) => s.state === 'SANDBOX_READY');
    if (!running && ready.length === 0) return state;
    await this.killPodContainers(state, pod, gracePeriodSeconds);
    for (const s of ready) await this.stopSandbox(s.id);
    return this.getPodState(uid);
  }

  /** Removes every container and sandbox of the pod from the runtime. */
  async removePod(uid: string): Promise<void> {
    const state = await this.getPodState(uid);
    for (const c of state.containers) {
      try { await this.cri.removeContainer(c.id); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    for (const s of state.sandboxes) await this.removeSandbox(s.id);
  }

  /** Keeps the newest two exited instances per container (for lastState and previous logs). */
  private async garbageCollect(state: PodRuntimeState): Promise<void> {
    const seen = new Set<string>();
    for (const c of state.containers) {
      const k = reasonKey(c.type, c.name);
      if (seen.has(k)) continue;
      seen.add(k);
      const old = containerHistory(state, c.name, c.type).filter((x) => x.state === 'CONTAINER_EXITED').slice(2);
      for (const x of old) await this.cri.removeContainer(x.id).catch(() => undefined);
    }
  }
}

function formatDelay(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s ? `${m}m${s}s` : `${m}m0s`;
}
