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

async function readSandbox(cri: CriClient, id: string, attempt?: number): Promise<SandboxRuntimeStatus | undefined> {
  let status;
  try { status = (await cri.podSandboxStatus(id)).status; } catch (err) { if (isNotFound(err)) return undefined; throw err; }
  if (!status) return undefined;
  return {
    id, attempt: attempt ?? status.metadata?.attempt ?? 0, state: status.state, createdAt: status.createdAt,
    ip: status.network?.ip ?? '', additionalIps: (status.network?.additionalIps ?? []).map((a) => a.ip),
    hostNetwork: status.linux?.namespaces?.options?.network === 'NODE',
  };
}

async function readContainer(cri: CriClient, id: string, podSandboxId: string, attempt?: number): Promise<ContainerRuntimeStatus | undefined> {
  let status;
  try { status = (await cri.containerStatus(id)).status; } catch (err) { if (isNotFound(err)) return undefined; throw err; }
  if (!status) return undefined;
  return {
    id, podSandboxId, name: status.labels[containerNameLabel] ?? status.metadata?.name ?? '',
    type: status.labels[containerTypeLabel] === 'INIT' ? 'INIT' : 'CONTAINER',
    state: status.state, createdAt: status.createdAt, startedAt: status.startedAt, finishedAt: status.finishedAt,
    exitCode: status.exitCode, reason: status.reason, message: status.message,
    image: status.image?.image ?? '', imageRef: status.imageRef,
    restartCount: Number(status.annotations[containerRestartCountAnnotation] ?? attempt ?? status.metadata?.attempt ?? 0) || 0,
    hash: status.annotations[containerHashAnnotation] ?? '', logPath: status.logPath,
  };
}

function assemble(uid: string, name: string, namespace: string, sandboxes: (SandboxRuntimeStatus | undefined)[], containers: (ContainerRuntimeStatus | undefined)[]): PodRuntimeState {
  const state = emptyRuntimeState(uid, name, namespace);
  state.sandboxes = sandboxes.filter((x) => x !== undefined).sort((a, b) => b.createdAt - a.createdAt);
  state.containers = containers.filter((x) => x !== undefined).sort((a, b) => b.createdAt - a.createdAt);
  return state;
}

/** Reads the sandboxes and containers of the pod with this uid from the runtime (statuses in parallel). */
export async function getPodRuntimeState(cri: CriClient, uid: string): Promise<PodRuntimeState> {
  const selector = { [podUidLabel]: uid };
  const [sandboxes, containers] = await Promise.all([
    cri.listPodSandbox({ labelSelector: selector }),
    cri.listContainers({ labelSelector: selector }),
  ]);
  const first = sandboxes[0] ?? containers[0];
  const [ss, cs] = await Promise.all([
    Promise.all(sandboxes.map((s) => readSandbox(cri, s.id, s.metadata?.attempt))),
    Promise.all(containers.map((c) => readContainer(cri, c.id, c.podSandboxId, c.metadata?.attempt))),
  ]);
  return assemble(uid, first?.labels[podNameLabel] ?? '', first?.labels[podNamespaceLabel] ?? '', ss, cs);
}

/**
 * The same state re-read after the kubelet acted on it, without listing: the statuses of the
 * sandboxes and containers it already knew plus those it just created (whose ids it holds).
 */
export async function refreshPodRuntimeState(cri: CriClient, state: PodRuntimeState, added: { id: string; podSandboxId: string }[]): Promise<PodRuntimeState> {
  const [ss, cs] = await Promise.all([
    Promise.all(state.sandboxes.map((s) => readSandbox(cri, s.id, s.attempt))),
    Promise.all([...state.containers, ...added].map((c) => readContainer(cri, c.id, c.podSandboxId))),
  ]);
  return assemble(state.uid, state.name, state.namespace, ss, cs);
}

/** The newest runtime status of the named container (of the given type). */
export function latestContainer(state: PodRuntimeState, name: string, type: ContainerType = 'CONTAINER'): ContainerRuntimeStatus | undefined {
  return state.containers.find((c) => c.name === name && c.type === type);
}

/** Every runtime status of the named container, newest first. */
export function containerHistory(state: PodRuntimeState, name: string, type: ContainerType = 'CONTAINER'): ContainerRuntimeStatus[] {
  return state.containers.filter((c) => c.name === name && c.type === type);
}
