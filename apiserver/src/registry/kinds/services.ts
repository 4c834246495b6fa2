// Services: cluster IP and NodePort allocation on create/update, release on delete.
import type { Service, ServicePort } from 'kubernetes-types/core/v1';
import { errors, field, type FieldError, type KubeObject } from '@k8ts/api';
import { AllocationError, type ClusterIPAllocator, type PortAllocator } from '../ipallocator.ts';
import type { Strategy } from '../strategy.ts';

const needsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName' && s.spec?.clusterIP !== 'None';
const needsNodePorts = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';

export function serviceStrategy(ips: ClusterIPAllocator, ports: PortAllocator): Strategy {
  /** Allocates what `svc` needs that `old` did not hold; returns what it took (for rollback). */
  function allocate(svc: Service, old: Service | undefined): { ips: string[]; ports: number[] } {
    const took = { ips: [] as string[], ports: [] as number[] };
    const errs: FieldError[] = [];
    const spec = svc.spec ?? (svc.spec = {});
    try {
      if (needsClusterIP(svc) && !(old && old.spec?.clusterIP && old.spec.clusterIP !== 'None')) {
        const wanted = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
        try {
          const ip = ips.allocate(wanted);
          took.ips.push(ip);
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          errs.push(field.invalid('spec.clusterIPs', [wanted], e.message));
        }
      } else if (old) {
        spec.clusterIP = old.spec?.clusterIP;
        spec.clusterIPs = old.spec?.clusterIPs;
      }
      if (needsNodePorts(svc)) {
        const held = new Set((old && needsNodePorts(old) ? old.spec?.ports ?? [] : []).map((p) => p.nodePort).filter((p): p is number => !!p));
        (spec.ports ?? []).forEach((p: ServicePort, i) => {
          if (p.nodePort && held.has(p.nodePort)) return;
          try {
            const n = ports.allocate(p.nodePort || undefined);
            took.ports.push(n);
            p.nodePort = n;
          } catch (e) {
            if (!(e instanceof AllocationError)) throw e;
            errs.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, e.message));
          }
        });
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
      if (errs.length) throw errors.invalid('', 'Service', svc.metadata?.name ?? '', errs);
      return took;
    } catch (e) {
      release(took);
      throw e;
    }
  }
  function release(h: { ips: string[]; ports: number[] }): void {
    for (const ip of h.ips) ips.release(ip);
    for (const p of h.ports) ports.release(p);
  }
  function holdings(svc: Service): { ips: string[]; ports: number[] } {
    return {
      ips: svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? [svc.spec.clusterIP] : [],
      ports: needsNodePorts(svc) ? (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p) : [],
    };
  }
  const pending = new WeakMap<object, { ips: string[]; ports: number[] }>();
  return {
    statusSubresource: true,
    beforeCreate(obj: KubeObject) {
      pending.set(obj, allocate(obj as Service, undefined));
    },
    createFailed(obj: KubeObject) {
      const h = pending.get(obj);
      if (h) release(h);
    },
    beforeUpdate(obj: KubeObject, old: KubeObject) {
      const took = allocate(obj as Service, old as Service);
      pending.set(obj, took);
    },
    updateFailed(obj: KubeObject) {
      const h = pending.get(obj);
      if (h) release(h);
      pending.delete(obj);
    },
    afterUpdate(obj: KubeObject, old: KubeObject) {
      // What the old object held and the new one no longer does goes back to the pool.
      const now = holdings(obj as Service);
      const before = holdings(old as Service);
      release({ ips: before.ips.filter((i) => !now.ips.includes(i)), ports: before.ports.filter((p) => !now.ports.includes(p)) });
    },
    afterDelete(obj: KubeObject) {
      release(holdings(obj as Service));
    },
  };
}

/** Rebuilds allocations from stored Services (API server start). */
export function restoreAllocations(services: Service[], ips: ClusterIPAllocator, ports: PortAllocator): void {
  for (const s of services) {
    if (s.spec?.clusterIP && s.spec.clusterIP !== 'None') ips.restore(s.spec.clusterIP);
    if (needsNodePorts(s)) for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.restore(p.nodePort);
  }
}
