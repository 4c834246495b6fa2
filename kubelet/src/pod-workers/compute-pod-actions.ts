// computePodActions: the pure decision at the heart of syncPod (upstream kuberuntime
// computePodActions): given the pod's spec and what the runtime holds for it, what to kill, whether
// to (re)create the sandbox, which init container runs next and which app containers to start.
import type { Pod } from 'kubernetes-types/core/v1';
import { hashContainer } from '../kuberuntime/labels.ts';
import { latestContainer, type ContainerRuntimeStatus, type PodRuntimeState, type SandboxRuntimeStatus } from '../kuberuntime/runtime-state.ts';

export interface ContainerToKill {
  id: string;
  name: string;
  reason: string;
  message: string;
}

export interface PodActions {
  /** Stop every container and the sandbox(es). */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use (the ready one), or the one being replaced. */
  sandboxId: string;
  /** Attempt number of the sandbox to create. */
  attempt: number;
  /** Index into spec.initContainers of the init container to start next. */
  nextInitContainerToStart?: number;
  /** Indexes into spec.containers. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

export interface ProbeState {
  /** Container ids whose liveness (or startup) probe has failed. */
  livenessFailed?: ReadonlySet<string>;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
export const restartPolicyOf = (pod: Pod): RestartPolicy => (pod.spec?.restartPolicy as RestartPolicy | undefined) ?? 'Always';

/** Whether a container that ended with exitCode restarts under the policy. */
export function shouldContainerBeRestarted(policy: RestartPolicy, exitCode: number): boolean {
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

const isRunning = (c: ContainerRuntimeStatus | undefined) => c?.state === 'CONTAINER_RUNNING';
const exited = (c: ContainerRuntimeStatus | undefined) => c?.state === 'CONTAINER_EXITED' || c?.state === 'CONTAINER_UNKNOWN';
const succeeded = (c: ContainerRuntimeStatus | undefined) => c?.state === 'CONTAINER_EXITED' && c.exitCode === 0;

/** Whether the sandbox must be (re)created, with which attempt, and the id of the current one. */
export function podSandboxChanged(pod: Pod, state: PodRuntimeState): { create: boolean; attempt: number; sandboxId: string } {
  const latest: SandboxRuntimeStatus | undefined = state.sandboxes[0];
  if (!latest) return { create: true, attempt: 0, sandboxId: '' };
  const ready = state.sandboxes.filter((s) => s.state === 'SANDBOX_READY').length;
  const next = { create: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  if (ready > 1 || latest.state !== 'SANDBOX_READY') return next;
  if (latest.hostNetwork !== (pod.spec?.hostNetwork === true)) return next;
  if (!latest.hostNetwork && !latest.ip) return next;
  return { create: false, attempt: latest.attempt, sandboxId: latest.id };
}

export function computePodActions(pod: Pod, state: PodRuntimeState, probes: ProbeState = {}): PodActions {
  const policy = restartPolicyOf(pod);
  const initContainers = pod.spec?.initContainers ?? [];
  const containers = pod.spec?.containers ?? [];
  const sb = podSandboxChanged(pod, state);
  const actions: PodActions = {
    killPod: sb.create, createSandbox: sb.create, sandboxId: sb.sandboxId, attempt: sb.attempt,
    containersToStart: [], containersToKill: [],
  };

  if (sb.create) {
    // A pod that must not restart and already ran once is not given a new sandbox.
    if (policy === 'Never' && sb.attempt !== 0 && state.containers.length > 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = containers
      .map((_, i) => i)
      .filter((i) => !(policy === 'OnFailure' && succeeded(latestContainer(state, containers[i]!.name))));
    const initDone = initContainers.every((c) => succeeded(latestContainer(state, c.name, 'INIT')));
    if (toStart.length === 0 && initDone) {
      actions.createSandbox = false;
      return actions;
    }
    if (initContainers.length > 0) actions.nextInitContainerToStart = 0;
    else actions.containersToStart = toStart;
    return actions;
  }

  // Init containers run one after another, each to successful completion, before any app container.
  for (let i = 0; i < initContainers.length; i++) {
    const s = latestContainer(state, initContainers[i]!.name, 'INIT');
    if (succeeded(s)) continue;
    if (!s) { actions.nextInitContainerToStart = i; return actions; }
    if (isRunning(s) || s.state === 'CONTAINER_CREATED') {
      if (isRunning(s) && probes.livenessFailed?.has(s.id)) {
        actions.containersToKill.push({ id: s.id, name: s.name, reason: 'Unhealthy', message: 'init container failed liveness probe' });
      }
      return actions; // wait for it to finish
    }
    // It failed.
    if (policy === 'Never') { actions.killPod = true; return actions; }
    actions.nextInitContainerToStart = i;
    return actions;
  }

  let keep = 0;
  containers.forEach((c, i) => {
    const s = latestContainer(state, c.name);
    if (!s) { actions.containersToStart.push(i); return; }
    if (!isRunning(s)) {
      if (s.state === 'CONTAINER_CREATED' || (exited(s) && shouldContainerBeRestarted(policy, s.exitCode))) {
        actions.containersToStart.push(i);
      }
      return;
    }
    let reason = '';
    let message = '';
    if (s.hash && s.hash !== hashContainer(c)) { reason = 'Changed'; message = `Container ${c.name} definition changed`; }
    else if (probes.livenessFailed?.has(s.id)) { reason = 'Unhealthy'; message = `Container ${c.name} failed liveness probe`; }
    if (!reason) { keep++; return; }
    actions.containersToKill.push({ id: s.id, name: c.name, reason, message });
    if (policy !== 'Never') actions.containersToStart.push(i);
  });

  if (keep === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}
