// The kubelet: wires the node manager, node lease, pod informer (pods bound to this node), pod
// workers, PLEG, runtime manager and status manager together (upstream pkg/kubelet Kubelet.Run).
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1';
import type { Clientset, Logger, SharedIndexInformer, Typed } from '@k8ts/client';
import { SharedInformerFactory, DeletedFinalStateUnknown, EventRecorder } from '@k8ts/client';
import { StatusError } from '@k8ts/api/status.ts';
import type { CriClient } from './cri/client.ts';
import type { ConfigSource } from './kuberuntime/env.ts';
import type { PodEventRecorder } from './kuberuntime/events.ts';
import { RuntimeManager, gracePeriodOf } from './kuberuntime/runtime-manager.ts';
import type { DnsSettings } from './kuberuntime/sandbox-config.ts';
import { cleanupPodDir } from './kuberuntime/volumes.ts';
import { Backoff } from './pod-workers/backoff.ts';
import { PodWorkers } from './pod-workers/pod-workers.ts';
import { Pleg } from './pleg/pleg.ts';
import { generatePodStatus } from './status/generate.ts';
import { StatusManager } from './status/manager.ts';
import { NodeManager } from './node/node-manager.ts';
import { NodeLease } from './node/lease.ts';
import { machineInfo } from './node/machine.ts';
import type { MachineInfo, RuntimeHealth } from './node/node-status.ts';
import type { Taint } from 'kubernetes-types/core/v1';
import { ProberManager } from './prober/manager.ts';
import { canonicalJson } from './util/canonical.ts';
import { ContainerManager } from './cm/container-manager.ts';
import { CgroupfsDriver, type CgroupDriver } from './cm/cgroupfs.ts';
import { KubeletMetrics } from './metrics/metrics.ts';
import { instrumentCri } from './metrics/instrumented-cri.ts';
import { PodStartupTracker } from './metrics/pod-startup.ts';

export interface KubeletOptions {
  client: Clientset;
  cri: CriClient;
  nodeName: string;
  nodeIPs: string[];
  podCIDR?: string;
  taints?: Taint[];
  rootDir: string;
  podLogsDir: string;
  dns?: Partial<DnsSettings>;
  log: Logger;
  kubeletPort?: number;
  machine?: () => MachineInfo;
  crashLoopBackoff?: Backoff;
  imageBackoff?: Backoff;
  plegPeriodMs?: number;
  /** Every pod is synced at least this often (upstream --sync-frequency, 1 min; 10 s here). */
  resyncPeriodMs?: number;
  nodeStatusUpdatePeriodMs?: number;
  nodeStatusReportPeriodMs?: number;
  leasePeriodMs?: number;
  /**
   * --cgroups-per-qos: pods get a pod<uid> cgroup under <root>/kubepods[/burstable|/besteffort]
   * (cgroupfs driver), passed to the runtime as the sandbox's cgroup parent. Absent: the runtime's default.
   */
  cgroups?: { root: string; driver?: CgroupDriver };
  /** At most this many RunPodSandbox calls at once (k8ts only; unlimited when absent, as upstream). */
  maxParallelSandboxCreations?: number;
}

export class Kubelet {
  readonly o: KubeletOptions;
  readonly runtime: RuntimeManager;
  readonly status: StatusManager;
  readonly nodeManager: NodeManager;
  readonly lease: NodeLease;
  readonly podWorkers: PodWorkers;
  readonly pleg: Pleg;
  readonly prober: ProberManager;
  readonly recorder: EventRecorder;
  readonly containerManager: ContainerManager | undefined;
  readonly metrics: KubeletMetrics;
  readonly startup = new PodStartupTracker();
  /** The runtime client, instrumented (every CRI call the kubelet makes goes through it). */
  readonly cri: CriClient;
  /** Pods synced at least once (the first sync is the worker's "create"). */
  private readonly syncedOnce = new Set<string>();
  private readonly factory: SharedInformerFactory;
  private readonly informer: SharedIndexInformer<Typed<Pod>>;
  private readonly services: SharedIndexInformer<Typed<Service>>;
  private readonly ctl = new AbortController();
  /** uid → the pod as last seen from the API server (kept after deletion until cleaned up). */
  private readonly pods = new Map<string, Typed<Pod>>();
  private readonly deleted = new Set<string>();
  private synced = false;
  private runtimeUp = true;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(o: KubeletOptions) {
    this.o = o;
    const log = o.log;
    this.metrics = new KubeletMetrics(() => this.pleg.runtime);
    const cri = this.cri = instrumentCri(o.cri, this.metrics);
    const config: ConfigSource = {
      configMap: (ns, name) => getOrUndefined<ConfigMap>(() => o.client.configMaps(ns).get(name)),
      secret: (ns, name) => getOrUndefined<Secret>(() => o.client.secrets(ns).get(name)),
      services: (ns) => this.services.lister().list().filter((s) => s.metadata.namespace === ns),
    };
    const machine = o.machine ?? (() => machineInfo(o.rootDir));
    this.recorder = new EventRecorder(o.client.events(), { component: 'kubelet', host: o.nodeName, logger: log });
    const record: PodEventRecorder = (ref, type, reason, message) => this.recorder.event(ref, type, reason, message);
    this.runtime = new RuntimeManager({
      cri, trace: (uid, step) => this.startup.mark(uid, step), config, rootDir: o.rootDir, podLogsDir: o.podLogsDir,
      dns: { clusterDns: o.dns?.clusterDns ?? [], clusterDomain: o.dns?.clusterDomain ?? 'cluster.local', resolvConf: o.dns?.resolvConf ?? '/etc/resolv.conf' },
      nodeIPs: o.nodeIPs, nodeMemoryBytes: machine().memoryBytes, log,
      crashLoopBackoff: o.crashLoopBackoff, imageBackoff: o.imageBackoff, record,
      maxParallelSandboxCreations: o.maxParallelSandboxCreations,
    });
    this.status = new StatusManager(o.client, log);
    if (o.cgroups) {
      const m = machine();
      this.containerManager = new ContainerManager({
        driver: o.cgroups.driver ?? new CgroupfsDriver(), cgroupRoot: o.cgroups.root,
        nodeCpuMilli: m.cpus * 1000, nodeMemoryBytes: m.memoryBytes, log,
      });
    }
    this.nodeManager = new NodeManager({
      client: o.client, log, machine, health: () => this.runtimeHealth(),
      config: { nodeName: o.nodeName, nodeIPs: o.nodeIPs, podCIDR: o.podCIDR, taints: o.taints ?? [], kubeletPort: o.kubeletPort },
      updatePeriodMs: o.nodeStatusUpdatePeriodMs, reportPeriodMs: o.nodeStatusReportPeriodMs,
    });
    this.lease = new NodeLease(o.client, o.nodeName, log);
    this.podWorkers = new PodWorkers((uid) => this.timedSyncPod(uid), (uid, err) => {
      const pod = this.pods.get(uid);
      log.info({ pod: pod ? `${pod.metadata.namespace}/${pod.metadata.name}` : uid, err: String(err) }, 'error syncing pod, skipping');
    });
    this.pleg = new Pleg({
      cri, log, periodMs: o.plegPeriodMs,
      observeRelist: (sec) => this.metrics.plegRelistDuration.observe(sec),
      onPodChanged: (uid) => this.podWorkers.updatePod(uid),
      onRelist: (ok) => {
        if (ok !== this.runtimeUp) {
          this.runtimeUp = ok;
          log.info(ok ? 'container runtime is back' : `container runtime is down (${o.cri.endpoint})`);
          this.nodeManager.poke();
          if (ok) for (const uid of this.pods.keys()) this.podWorkers.updatePod(uid);
        }
      },
    });
    this.prober = new ProberManager({ cri, log, record, onChange: (uid) => this.podWorkers.updatePod(uid) });
    this.factory = new SharedInformerFactory(o.client, { logger: log });
    this.informer = this.factory.pods({ fieldSelector: `spec.nodeName=${o.nodeName}` });
    this.services = this.factory.services();
  }

  private async runtimeHealth(): Promise<RuntimeHealth> {
    try {
      const [v, st] = await Promise.all([this.cri.version(), this.cri.status()]);
      const conds = st.status?.conditions ?? [];
      const bad = conds.filter((c) => (c.type === 'RuntimeReady' || c.type === 'NetworkReady') && !c.status);
      const runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
      if (bad.length === 0) return { runtimeVersion, notReadyMessage: '' };
      const parts = bad.map((c) => `${c.type}=false reason:${c.reason} message:${c.message}`);
      const what = bad.some((c) => c.type === 'NetworkReady') ? 'container runtime network not ready' : 'container runtime not ready';
      return { runtimeVersion, notReadyMessage: `${what}: ${parts.join(', ')}` };
    } catch (err) {
      return { runtimeVersion: this.nodeManager.node?.status?.nodeInfo?.containerRuntimeVersion ?? '', notReadyMessage: `container runtime is down: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async start(): Promise<void> {
    const { log } = this.o;
    this.containerManager?.start();
    const node = await this.nodeManager.register();
    this.lease.nodeUid = node.metadata.uid;
    this.lease.run(this.ctl.signal, this.o.leasePeriodMs);
    this.nodeManager.run(this.ctl.signal);

    this.informer.addEventHandler({
      onAdd: (pod) => {
        this.startup.mark(pod.metadata.uid!, 'seen');
        this.pods.set(pod.metadata.uid!, pod);
        this.podWorkers.updatePod(pod.metadata.uid!);
      },
      onUpdate: (old, pod) => {
        this.pods.set(pod.metadata.uid!, pod);
        // A status-only change (mostly the kubelet's own writes) needs no sync (upstream pod config: RECONCILE, not UPDATE).
        if (podSpecChanged(old, pod)) this.podWorkers.updatePod(pod.metadata.uid!);
      },
      onDelete: (obj) => {
        const pod = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        if (!pod?.metadata?.uid) return;
        this.deleted.add(pod.metadata.uid);
        this.podWorkers.updatePod(pod.metadata.uid);
      },
    });
    this.factory.start(this.ctl.signal);
    await this.factory.waitForCacheSync(this.ctl.signal);
    this.synced = true;
    log.info({ pods: this.pods.size }, 'pod informer synced');
    // Only now: PLEG reports runtime pods, and pods unknown to the API server get cleaned up.
    this.pleg.start();
    this.cleanupOrphanedPodCgroups();
    const resync = () => {
      for (const uid of this.pods.keys()) this.podWorkers.updatePod(uid);
      this.cleanupOrphanedPodCgroups();
      this.resyncTimer = setTimeout(resync, this.o.resyncPeriodMs ?? 10_000);
    };
    this.resyncTimer = setTimeout(resync, this.o.resyncPeriodMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.ctl.abort();
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.pleg.stop();
    this.prober.stop();
    await this.podWorkers.stop();
    await this.factory.shutdown();
    await this.recorder.shutdown();
    this.containerManager?.stop();
  }

  /** Pod cgroups of pods neither known nor in the runtime (nor being worked on) go. */
  private cleanupOrphanedPodCgroups(): void {
    const cm = this.containerManager;
    if (!cm) return;
    const inRuntime = new Set(this.pleg.podUids());
    try {
      cm.cleanupOrphans((uid) => this.pods.has(uid) || inRuntime.has(uid) || this.podWorkers.isWorking(uid));
    } catch (err) {
      this.o.log.info({ err: String(err) }, 'cleaning up pod cgroups failed');
    }
  }

  /** syncPod, timed per operation (upstream kubelet_pod_worker_duration_seconds). */
  private async timedSyncPod(uid: string): Promise<{ requeueAfterMs?: number } | void> {
    const pod = this.pods.get(uid);
    const operation = !pod || this.deleted.has(uid) || pod.metadata.deletionTimestamp ? 'kill' : this.syncedOnce.has(uid) ? 'sync' : 'create';
    if (operation === 'create') this.startup.mark(uid, 'syncStart');
    const end = this.metrics.podWorkerDuration.startTimer({ operation });
    try {
      return await this.syncPod(uid);
    } finally {
      end();
      if (operation === 'kill') this.syncedOnce.delete(uid); else this.syncedOnce.add(uid);
    }
  }

  /** One sync of one pod: the worker body (upstream podWorkers → SyncPod / SyncTerminatingPod / SyncTerminatedPod). */
  async syncPod(uid: string): Promise<{ requeueAfterMs?: number } | void> {
    if (!this.synced) return;
    const pod = this.pods.get(uid);
    const log = this.o.log;
    if (!pod || this.deleted.has(uid)) {
      // Gone from the API server (or never known: a leftover from before a restart): tear down.
      const grace = pod ? Math.min(gracePeriodOf(pod), pod.metadata.deletionGracePeriodSeconds ?? 0) : 0;
      const state = await this.runtime.getPodState(uid);
      if (state.sandboxes.length > 0 || state.containers.length > 0) {
        log.info({ pod: pod ? `${pod.metadata.namespace}/${pod.metadata.name}` : `${state.namespace}/${state.name}`, uid }, 'cleaning up pod that is no longer bound to this node');
        await this.runtime.killPod(uid, grace);
        await this.runtime.removePod(uid);
      }
      this.containerManager?.removePod(uid);
      cleanupPodDir(this.o.rootDir, uid);
      this.prober.removePod(uid);
      this.status.forget(uid);
      this.pods.delete(uid);
      this.deleted.delete(uid);
      this.runtime.crashLoop.resetPrefix(`${uid}/`);
      this.podWorkers.forget(uid);
      return;
    }
    const withStatus = { ...pod, status: this.status.get(uid) ?? pod.status } as Typed<Pod>;
    if (pod.metadata.deletionTimestamp) return this.syncTerminatingPod(withStatus);
    if (withStatus.status?.phase === 'Succeeded' || withStatus.status?.phase === 'Failed') {
      const state = await this.runtime.killPod(uid, gracePeriodOf(pod), pod);
      this.prober.removePod(uid);
      await this.status.setPodStatus(withStatus, this.podStatus(withStatus, state, new Map()));
      return;
    }
    const cgroupParent = this.containerManager?.ensurePod(withStatus);
    const result = await this.runtime.syncPod(withStatus, { livenessFailed: this.prober.livenessFailed(uid) }, cgroupParent);
    this.prober.addPod(withStatus, result.state);
    const status = this.podStatus(withStatus, result.state, result.reasons);
    const firstRunning = status.phase === 'Running' && withStatus.status?.phase !== 'Running' && !this.startup.has(uid, 'statusRunning');
    if (firstRunning) {
      this.startup.mark(uid, 'statusRunning');
      const since = this.startup.sinceSeen(uid);
      if (since !== undefined) this.metrics.podStartDuration.observe(since);
    }
    await this.status.setPodStatus(withStatus, status);
    if (firstRunning) this.startup.mark(uid, 'statusWritten');
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return { requeueAfterMs: 100 };
    return { requeueAfterMs: result.requeueAfterMs };
  }

  private async syncTerminatingPod(pod: Typed<Pod>): Promise<void> {
    const uid = pod.metadata.uid!;
    const grace = gracePeriodOf(pod);
    this.o.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, gracePeriod: grace }, 'killing pod');
    this.prober.removePod(uid);
    const state = await this.runtime.killPod(uid, grace, pod);
    await this.status.setPodStatus(pod, this.podStatus(pod, state, new Map(), true));
    await this.runtime.removePod(uid);
    this.containerManager?.removePod(uid);
    cleanupPodDir(this.o.rootDir, uid);
    await this.status.deletePod(pod);
  }

  private podStatus(pod: Pod, state: Awaited<ReturnType<RuntimeManager['getPodState']>>, reasons: Map<string, { reason: string; message: string }>, terminating = false) {
    return generatePodStatus({
      pod, state, reasons, nodeIPs: this.o.nodeIPs, now: new Date(), terminating,
      ready: (id, c) => this.prober.isReady(pod.metadata?.uid ?? '', id, c),
      started: (id, c) => this.prober.isStarted(pod.metadata?.uid ?? '', id, c),
    });
  }

  /** Pods the kubelet currently knows (the /pods endpoint). */
  knownPods(): Typed<Pod>[] { return [...this.pods.values()]; }
}

/** Whether anything the kubelet acts on changed: spec, labels, annotations, deletion, owners (upstream checkAndUpdatePod). */
export function podSpecChanged(a: Pod, b: Pod): boolean {
  const pick = (p: Pod) => canonicalJson({
    spec: p.spec, labels: p.metadata?.labels, annotations: p.metadata?.annotations, deletionTimestamp: p.metadata?.deletionTimestamp,
    deletionGracePeriodSeconds: p.metadata?.deletionGracePeriodSeconds, ownerReferences: p.metadata?.ownerReferences, uid: p.metadata?.uid,
  });
  return pick(a) !== pick(b);
}

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try { return await get(); } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}
