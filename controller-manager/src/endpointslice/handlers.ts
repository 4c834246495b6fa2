// Event handlers both endpoint controllers share: a pod change enqueues every service in its
// namespace whose selector picks the pod before or after the change.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { objectKey, unwrapTombstone, type Lister, type ResourceEventHandler, type Typed } from '@k8ts/client';
import { serviceSelectsPod } from './pods.ts';

function podChangeMatters(oldPod: Pod, newPod: Pod): boolean {
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return false;
  return true;
}

export function podHandler(services: Lister<Typed<Service>>, enqueue: (key: string) => void): ResourceEventHandler<Typed<Pod>> {
  const servicesFor = (pod: Pod) => services.namespace(pod.metadata?.namespace ?? '').list().filter((s) => serviceSelectsPod(s, pod));
  const add = (pod: Pod) => { for (const s of servicesFor(pod)) enqueue(objectKey(s)); };
  return {
    onAdd: (pod) => add(pod),
    onUpdate: (oldPod, newPod) => {
      if (!podChangeMatters(oldPod, newPod)) return;
      const keys = new Set([...servicesFor(oldPod), ...servicesFor(newPod)].map((s) => objectKey(s)));
      for (const k of keys) enqueue(k);
    },
    onDelete: (o) => add(unwrapTombstone(o)),
  };
}
