// Events the kubelet records about pods (upstream kubelet/events reasons), behind a small callback
// so the runtime manager does not depend on the API client.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ObjectReference } from 'kubernetes-types/core/v1';

export type PodEventRecorder = (ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export const noEvents: PodEventRecorder = () => undefined;

/** The involvedObject of a container's events: the pod, fieldPath spec.containers{name}. */
export function containerRef(pod: Pod, containerName?: string, init = false): ObjectReference {
  const ref: ObjectReference = {
    kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid,
  };
  if (containerName) ref.fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${containerName}}`;
  return ref;
}
