// The resources of a pod's cgroup (upstream pkg/kubelet/cm ResourceConfigForPod): cpu shares from
// the pod's cpu request, cfs quota from its cpu limit and the memory limit, each set only when
// every container declares that limit (Guaranteed pods always do); BestEffort pods get minimal shares.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { milliValue, value } from '@k8ts/api/quantity.ts';
import { getPodQOS } from './qos.ts';

export const minShares = 2;
export const maxShares = 262_144;
export const sharesPerCpu = 1024;
export const quotaPeriodUs = 100_000;
export const minQuotaPeriodUs = 1000;

/** cgroup resources; undefined fields are left as the kernel has them. */
export interface ResourceConfig {
  cpuShares?: number;
  /** µs per period; -1 unlimited. */
  cpuQuota?: number;
  cpuPeriod?: number;
  /** bytes; -1 unlimited. */
  memory?: number;
}

export function milliCpuToShares(milli: number): number {
  if (milli === 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milli * sharesPerCpu) / 1000)));
}

export function milliCpuToQuota(milli: number, periodUs = quotaPeriodUs): number {
  if (milli === 0) return 0;
  return Math.max(minQuotaPeriodUs, Math.floor((milli * periodUs) / 1000));
}

/** cgroup v2 cpu.weight for v1 shares (upstream CpuSharesToCpuWeight). */
export function cpuSharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142);
}

type Amounts = { cpu: number; memory: number };

function amounts(c: Container, which: 'requests' | 'limits'): Amounts & { has: { cpu: boolean; memory: boolean } } {
  const lim = c.resources?.limits ?? {};
  const src = which === 'limits' ? lim : { ...lim, ...(c.resources?.requests ?? {}) };
  return {
    cpu: src.cpu !== undefined ? milliValue(src.cpu) : 0,
    memory: src.memory !== undefined ? value(src.memory) : 0,
    has: { cpu: lim.cpu !== undefined, memory: lim.memory !== undefined },
  };
}

/** Sum over app containers, at least the largest init container (upstream resource.PodRequests / PodLimits), plus overhead. */
function podAmounts(pod: Pod, which: 'requests' | 'limits'): Amounts {
  const sum: Amounts = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) { const a = amounts(c, which); sum.cpu += a.cpu; sum.memory += a.memory; }
  for (const c of pod.spec?.initContainers ?? []) {
    const a = amounts(c, which);
    sum.cpu = Math.max(sum.cpu, a.cpu);
    sum.memory = Math.max(sum.memory, a.memory);
  }
  const o = pod.spec?.overhead ?? {};
  if (o.cpu !== undefined) sum.cpu += milliValue(o.cpu);
  if (o.memory !== undefined) sum.memory += value(o.memory);
  return sum;
}

export function resourceConfigForPod(pod: Pod): ResourceConfig {
  const req = podAmounts(pod, 'requests');
  const lim = podAmounts(pod, 'limits');
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const cpuLimitsDeclared = all.every((c) => amounts(c, 'limits').has.cpu);
  const memoryLimitsDeclared = all.every((c) => amounts(c, 'limits').has.memory);
  const cpuShares = milliCpuToShares(req.cpu);
  const cpuQuota = milliCpuToQuota(lim.cpu);
  switch (getPodQOS(pod)) {
    case 'Guaranteed':
      return { cpuShares, cpuQuota, cpuPeriod: quotaPeriodUs, memory: lim.memory };
    case 'Burstable': {
      const out: ResourceConfig = { cpuShares };
      if (cpuLimitsDeclared) { out.cpuQuota = cpuQuota; out.cpuPeriod = quotaPeriodUs; }
      if (memoryLimitsDeclared) out.memory = lim.memory;
      return out;
    }
    default:
      return { cpuShares: minShares };
  }
}

/** The pod's cpu request in millicores (for the burstable QoS cgroup's shares). */
export function podCpuRequestMilli(pod: Pod): number { return podAmounts(pod, 'requests').cpu; }
