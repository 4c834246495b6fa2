// A pod's QoS class (upstream pkg/apis/core/v1/helper/qos ComputePodQOS): only cpu and memory
// count. BestEffort: no container requests or limits either. Guaranteed: every container limits
// both, and the pod's requests equal its limits for each. Otherwise Burstable.
import type { Pod } from 'kubernetes-types/core/v1';
import { parse } from '@k8ts/api/quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'] as const;

function nanos(q: string | number | undefined): bigint {
  if (q === undefined) return 0n;
  try { return parse(q).nanos; } catch { return 0n; }
}

/** Computes the class from the spec (init and app containers; ephemeral ones do not count). */
export function computePodQOS(pod: Pod): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const lim = c.resources?.limits ?? {};
    // Requests default to limits (API defaulting); a pod read before defaulting behaves the same.
    const req = { ...lim, ...(c.resources?.requests ?? {}) };
    for (const r of qosResources) {
      const q = nanos(req[r]);
      if (q > 0n) requests.set(r, (requests.get(r) ?? 0n) + q);
    }
    let both = 0;
    for (const r of qosResources) {
      const q = nanos(lim[r]);
      if (q > 0n) { limits.set(r, (limits.get(r) ?? 0n) + q); both++; }
    }
    if (both !== qosResources.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [r, q] of requests) if (limits.get(r) !== q) { guaranteed = false; break; }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** status.qosClass when set (it never changes), else computed (upstream GetPodQOS). */
export function getPodQOS(pod: Pod): QOSClass {
  const s = pod.status?.qosClass;
  return s === 'Guaranteed' || s === 'Burstable' || s === 'BestEffort' ? s : computePodQOS(pod);
}
