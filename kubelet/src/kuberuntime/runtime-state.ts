// What the runtime holds for one pod (upstream kubecontainer.PodStatus), read back through the CRI
// from the labels the kubelet put on its sandboxes and containers.
import type { CriClient } from '../cri/client.ts';
import { isNotFound } from '../cri/errors.ts';
import type { ContainerState, PodSandboxState } from '../cri/types.ts';
import {
  containerHashAnnotation, containerNameLabel, containerRestartCountAnnotation, containerTypeLabel,
  podNameLabel, podNamespaceLabel, podUidLabel, type ContainerType,
} from './labels.ts';

export interface SandboxRuntimeStatus {
  id: string;
  attempt: number;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: number;
  ip: string;
  additionalIps: string[];
  hostNetwork: boolean;
}

export interface ContainerRuntimeStatus {
  id: string;
  podSandboxId: string;
  name: string;
  type: ContainerType;
  state: ContainerState;
  /** Nanoseconds since the epoch; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
  hash: string;
  logPath: string;
}

export interface PodRuntimeState {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxes: SandboxRuntimeStatus[];
  /** Newest first. */
  containers: ContainerRuntimeStatus[];
}

export const emptyRuntimeState = (uid: string, name = '', namespace = ''): PodRuntimeState =>
  ({ uid, name, namespace, sandboxes: [], containers: [] });

/** Reads the sandboxes and containers of the pod with this uid from the runtime. */
export async function getPodRuntimeState(cri: CriClient, uid: string): Promise<PodRuntimeState> {
  const selector = { [podUidLabel]: uid };
  const [sandboxes, containers] = await Promise.all([
    cri.listPodSandbox({ labelSelector: selector }),
    cri.listContainers({ labelSelector: selector }),
  ]);
  const state = emptyRuntimeState(uid);
  const first = sandboxes[0] ?? containers[0];
  if (first) { state.name = first.labels[podNameLabel] ?? ''; state.namespace = first.labels[podNamespaceLabel] ?? ''; }
  for (const s of sandboxes) {
    let status;
    try { status = (await cri.podSandboxStatus(s.id)).status; } catch (err) { if (isNotFound(err)) continue; throw err; }
    if (!status) continue;
    state.sandboxes.push({
      id: s.id, attempt: s.metadata?.attempt ?? 0, state: status.state, createdAt: status.createdAt,
      ip: status.network?.ip ?? '', additionalIps: (status.network?.additionalIps ?? []).map((a) => a.ip),
      hostNetwork: status.linux?.namespaces?.options?.network === 'NODE',
    });
  }
  for (const c of containers) {
    let status;
    try { status = (await cri.containerStatus(c.id)).status; } catch (err) { if (isNotFound(err)) continue; throw err; }
    if (!status) continue;
    state.containers.push({
      id: c.id, podSandboxId: c.podSandboxId, name: c.labels[containerNameLabel] ?? status.metadata?.name ?? '',
      type: c.labels[containerTypeLabel] === 'INIT' ? 'INIT' : 'CONTAINER',
      state: status.state, createdAt: status.createdAt, startedAt: status.startedAt, finishedAt: status.finishedAt,
      exitCode: status.exitCode, reason: status.reason, message: status.message,
      image: status.image?.image ?? '', imageRef: status.imageRef,
      restartCount: Number(status.annotations[containerRestartCountAnnotation] ?? c.metadata?.attempt ?? 0) || 0,
      hash: status.annotations[containerHashAnnotation] ?? '', logPath: status.logPath,
    });
  }
  state.sandboxes.sort((a, b) => b.createdAt - a.createdAt);
  state.containers.sort((a, b) => b.createdAt - a.createdAt);
  return state;
}

/** The newest runtime status of the named container (of the given type). */
export function latestContainer(state: PodRuntimeState, name: string, type: ContainerType = 'CONTAINER'): ContainerRuntimeStatus | undefined {
  return state.containers.find((c) => c.name === name && c.type === type);
}

/** Every runtime status of the named container, newest first. */
export function containerHistory(state: PodRuntimeState, name: string, type: ContainerType = 'CONTAINER'): ContainerRuntimeStatus[] {
  return state.containers.filter((c) => c.name === name && c.type === type);
}
