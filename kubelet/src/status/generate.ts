// Pod status from the runtime state (upstream kubelet generateAPIPodStatus / getPhase /
// convertToAPIContainerStatuses and the status package's condition generators). Pure.
import type { Container, ContainerState as ApiContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import { canonicalJson } from '../util/canonical.ts';
import { restartPolicyOf } from '../pod-workers/compute-pod-actions.ts';
import type { WaitingReason } from '../kuberuntime/runtime-manager.ts';
import { reasonKey } from '../kuberuntime/runtime-manager.ts';
import { containerHistory, type ContainerRuntimeStatus, type PodRuntimeState } from '../kuberuntime/runtime-state.ts';
import type { ContainerType } from '../kuberuntime/labels.ts';
import { getPodQOS } from '../cm/qos.ts';

export interface StatusInput {
  pod: Pod;
  state: PodRuntimeState;
  reasons: ReadonlyMap<string, WaitingReason>;
  /** Container ids whose readiness probe currently succeeds; containers without one are ready when running. */
  ready?: (containerId: string, c: Container) => boolean;
  /** Whether the startup probe (if any) has succeeded. */
  started?: (containerId: string, c: Container) => boolean;
  nodeIPs: string[];
  now: Date;
  /** The pod is being terminated by the kubelet (deleted): every container reads as terminated. */
  terminating?: boolean;
}

const ts = (ns: number) => (ns > 0 ? new Date(Math.floor(ns / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const containerIdOf = (id: string) => `containerd://${id}`;

function runtimeToState(s: ContainerRuntimeStatus): ApiContainerState {
  switch (s.state) {
    case 'CONTAINER_RUNNING': return { running: { startedAt: ts(s.startedAt) } };
    case 'CONTAINER_EXITED':
      return { terminated: {
        exitCode: s.exitCode, reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'), message: s.message || undefined,
        startedAt: ts(s.startedAt), finishedAt: ts(s.finishedAt), containerID: containerIdOf(s.id),
      } };
    case 'CONTAINER_CREATED': return { waiting: { reason: 'ContainerCreating' } };
    default: return { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', containerID: containerIdOf(s.id) } };
  }
}

function containerStatuses(i: StatusInput, specs: Container[], type: ContainerType, defaultReason: string): ContainerStatus[] {
  return specs.map((c) => {
    const hist = containerHistory(i.state, c.name, type);
    const cur = hist[0];
    const prev = hist[1];
    const status: ContainerStatus = {
      name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: cur?.restartCount ?? 0,
      started: false, state: { waiting: { reason: defaultReason } }, lastState: {},
    };
    if (cur) {
      status.state = runtimeToState(cur);
      status.containerID = containerIdOf(cur.id);
      status.imageID = cur.imageRef;
      if (prev) status.lastState = runtimeToState(prev);
      if (cur.state === 'CONTAINER_RUNNING') {
        status.started = i.started ? i.started(cur.id, c) : true;
        status.ready = status.started && (i.ready ? i.ready(cur.id, c) : true);
      }
    }
    const r = i.reasons.get(reasonKey(type, c.name));
    if (r && cur?.state !== 'CONTAINER_RUNNING') {
      if (status.state?.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: r.reason, message: r.message || undefined } };
    }
    return status;
  });
}

/** Upstream getPhase, for regular (non-sidecar) init containers. */
export function getPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): PodStatus['phase'] {
  const policy = restartPolicyOf(pod);
  let pendingInit = false;
  for (const s of init) {
    if (s.state?.terminated?.exitCode === 0) continue;
    if (s.state?.terminated) { if (policy === 'Never') return 'Failed'; pendingInit = true; continue; }
    if (s.state?.waiting?.reason && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0 && policy === 'Never') return 'Failed';
    pendingInit = true;
  }
  let waiting = 0, running = 0, stopped = 0, succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) {
      if (s.lastState?.terminated) { stopped++; if (s.lastState.terminated.exitCode === 0) succeeded++; }
      else waiting++;
    }
  }
  if (pendingInit) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'OnFailure' ? 'Running' : 'Failed';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', reason: ok ? undefined : reason, message: ok ? undefined : message };
}

const names = (l: ContainerStatus[]) => `[${l.map((s) => s.name).join(' ')}]`;

export function generatePodStatus(i: StatusInput): PodStatus {
  const { pod } = i;
  const old = pod.status ?? {};
  const initSpecs = pod.spec?.initContainers ?? [];
  const appSpecs = pod.spec?.containers ?? [];
  const init = containerStatuses(i, initSpecs, 'INIT', 'PodInitializing');
  const initDone = init.every((s) => s.state?.terminated?.exitCode === 0);
  const app = containerStatuses(i, appSpecs, 'CONTAINER', initDone ? 'ContainerCreating' : 'PodInitializing');
  if (i.terminating) {
    for (const s of [...init, ...app]) {
      if (s.state?.running || s.state?.waiting) {
        s.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } };
        s.ready = false; s.started = false;
      }
    }
  }
  let phase = getPhase(pod, init, app);
  // A pod the kubelet finished terminating ends in a terminal phase (upstream podIsTerminal).
  if (i.terminating && phase !== 'Succeeded' && phase !== 'Failed') {
    phase = app.every((s) => s.state?.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  // A terminal pod stays terminal (upstream: phases only move forward).
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandbox = i.state.sandboxes.find((s) => s.state === 'SANDBOX_READY');
  const ips = sandbox ? [sandbox.ip, ...sandbox.additionalIps].filter(Boolean) : [];
  const podIPs = pod.spec?.hostNetwork ? i.nodeIPs : ips;

  const notReady = app.filter((s) => !s.ready);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = terminal
    ? condition('ContainersReady', false, 'PodCompleted', '')
    : condition('ContainersReady', notReady.length === 0, 'ContainersNotReady', `containers with unready status: ${names(notReady)}`);
  const readyCond: PodCondition = { ...containersReady, type: 'Ready' };
  const incompleteInit = init.filter((s) => s.state?.terminated?.exitCode !== 0);
  const initialized = condition('Initialized', incompleteInit.length === 0 || terminal, 'ContainersNotInitialized',
    `containers with incomplete status: ${names(incompleteInit)}`);
  if (terminal && incompleteInit.length === 0) initialized.reason = undefined;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', !!sandbox || !!pod.spec?.hostNetwork && i.state.sandboxes.some((s) => s.state === 'SANDBOX_READY')),
    initialized,
    readyCond,
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  if (terminal) { readyCond.reason = 'PodCompleted'; containersReady.message = undefined; readyCond.message = undefined; }
  // Keep transition times of conditions whose status did not change.
  const now = rfc3339(i.now);
  for (const c of conditions) {
    const prev = (old.conditions ?? []).find((p) => p.type === c.type);
    c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    if (c.type === 'PodScheduled' && prev) Object.assign(c, prev);
  }

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: i.nodeIPs[0],
    hostIPs: i.nodeIPs.map((ip) => ({ ip })),
    podIP: podIPs[0],
    podIPs: podIPs.length ? podIPs.map((ip) => ({ ip })) : undefined,
    startTime: old.startTime ?? now,
    containerStatuses: app,
    qosClass: getPodQOS(i.pod),
  };
  if (initSpecs.length > 0) status.initContainerStatuses = init;
  return status;
}

/** Whether two statuses differ in anything but condition probe/transition times (upstream isPodStatusByKubeletEqual). */
export function podStatusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  const ignore = new Set(['lastProbeTime', 'lastTransitionTime']);
  return canonicalJson(a ?? {}, ignore) === canonicalJson(b ?? {}, ignore);
}
