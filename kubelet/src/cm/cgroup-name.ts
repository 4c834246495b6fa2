// Names of the kubelet's cgroups with the cgroupfs driver (upstream pkg/kubelet/cm
// qos_container_manager / pod_container_manager): <root>/kubepods, <root>/kubepods/burstable,
// <root>/kubepods/besteffort, and pod<uid> under the QoS cgroup (Guaranteed pods straight under kubepods).
import { posix } from 'node:path';
import type { QOSClass } from './qos.ts';

export const kubepods = 'kubepods';
export const podCgroupPrefix = 'pod';

/** A cgroup path, absolute ("/" is the hierarchy's root). */
export function cgroupJoin(...parts: string[]): string {
  return posix.normalize(`/${parts.filter(Boolean).join('/')}`).replace(/(.)\/$/, '$1');
}

export interface QOSCgroupNames { root: string; kubepods: string; burstable: string; besteffort: string }

export function qosCgroupNames(cgroupRoot: string): QOSCgroupNames {
  const top = cgroupJoin(cgroupRoot, kubepods);
  return { root: cgroupJoin(cgroupRoot), kubepods: top, burstable: cgroupJoin(top, 'burstable'), besteffort: cgroupJoin(top, 'besteffort') };
}

export function qosCgroupOf(names: QOSCgroupNames, qos: QOSClass): string {
  return qos === 'Guaranteed' ? names.kubepods : qos === 'Burstable' ? names.burstable : names.besteffort;
}

export function podCgroupName(names: QOSCgroupNames, qos: QOSClass, uid: string): string {
  return cgroupJoin(qosCgroupOf(names, qos), `${podCgroupPrefix}${uid}`);
}

/** The pod uid of a pod cgroup's base name ("pod<uid>"), or undefined. */
export function podUidOfCgroup(base: string): string | undefined {
  return base.startsWith(podCgroupPrefix) && base.length > podCgroupPrefix.length ? base.slice(podCgroupPrefix.length) : undefined;
}
