// The labels and annotations the kubelet puts on sandboxes and containers (upstream kuberuntime
// labels.go): the pod's identity and each container's restart count and spec hash live in the
// runtime, so a restarted kubelet reads its state back instead of starting over.
import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { Labels } from '../cri/types.ts';

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';
export const containerHashAnnotation = 'io.kubernetes.container.hash';
export const containerRestartCountAnnotation = 'io.kubernetes.container.restartCount';
export const containerTerminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const podTerminationGracePeriodAnnotation = 'io.kubernetes.pod.terminationGracePeriod';
/** Marks init containers so state can tell them from app containers of the same name. */
export const containerTypeLabel = 'io.kubernetes.container.type';
/** The kubelet's own marker on everything it creates (upstream: io.kubernetes.container.logpath etc. differ). */
export const kubeletManagedLabel = 'io.kubernetes.managed-by';

export function podUid(pod: Pod): string { return pod.metadata?.uid ?? ''; }

export function sandboxLabels(pod: Pod): Labels {
  return {
    ...(pod.metadata?.labels ?? {}),
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? '',
    [podUidLabel]: podUid(pod),
    [kubeletManagedLabel]: 'k8ts-kubelet',
  };
}

export function sandboxAnnotations(pod: Pod): Labels {
  return { ...(pod.metadata?.annotations ?? {}) };
}

export type ContainerType = 'INIT' | 'CONTAINER';

export function containerLabels(pod: Pod, container: Container, type: ContainerType): Labels {
  return {
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? '',
    [podUidLabel]: podUid(pod),
    [containerNameLabel]: container.name,
    [containerTypeLabel]: type,
    [kubeletManagedLabel]: 'k8ts-kubelet',
  };
}

export function containerAnnotations(pod: Pod, container: Container, restartCount: number): Labels {
  return {
    [containerHashAnnotation]: hashContainer(container),
    [containerRestartCountAnnotation]: String(restartCount),
    [containerTerminationMessagePathAnnotation]: container.terminationMessagePath ?? '/dev/termination-log',
    [podTerminationGracePeriodAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
}

/** A hash of the fields whose change makes the kubelet restart the container (upstream HashContainer). */
export function hashContainer(c: Container): string {
  const relevant = {
    name: c.name, image: c.image, command: c.command, args: c.args, workingDir: c.workingDir,
    ports: c.ports, env: c.env, envFrom: c.envFrom, volumeMounts: c.volumeMounts, securityContext: c.securityContext,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 8);
}
