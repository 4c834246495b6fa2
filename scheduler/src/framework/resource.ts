import type { Container, Pod } from 'kubernetes-types/core/v1';
import { milliValue, value } from './resources.ts';

type ResourceList = { [name: string]: string | number } | undefined;

/** Aggregated resource amounts (upstream framework.Resource): cpu in millicores, the rest in units. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar = new Map<string, number>();

  static fromList(rl: ResourceList): Resource {
    const r = new Resource();
    r.addList(rl);
    return r;
  }

  addList(rl: ResourceList): void {
    if (!rl) return;
    for (const [name, q] of Object.entries(rl)) {
      switch (name) {
        case 'cpu':
          this.milliCPU += milliValue(q);
          break;
        case 'memory':
          this.memory += value(q);
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += value(q);
          break;
        case 'pods':
          this.allowedPodNumber += value(q);
          break;
        default:
          if (isScalarResourceName(name)) this.scalar.set(name, (this.scalar.get(name) ?? 0) + value(q));
      }
    }
  }

  /** Takes, per resource, the max of this and rl (used for init containers). */
  setMaxList(rl: ResourceList): void {
    if (!rl) return;
    const other = Resource.fromList(rl);
    this.setMax(other);
  }

  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    for (const [k, v] of o.scalar) this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
  }

  add(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    for (const [k, v] of o.scalar) this.scalar.set(k, (this.scalar.get(k) ?? 0) + sign * v);
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    r.scalar = new Map(this.scalar);
    return r;
  }

  /** Amount of a named resource (cpu in millicores). */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.scalar.get(name) ?? 0;
    }
  }

  isZero(): boolean {
    if (this.milliCPU || this.memory || this.ephemeralStorage) return false;
    for (const v of this.scalar.values()) if (v) return false;
    return true;
  }
}

/** Extended (domain-prefixed, not kubernetes.io), hugepages-*, attachable-volumes-* and kubernetes.io/ prefixed names. */
export function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** Defaults upstream applies to zero cpu/memory requests when scoring (schedutil.DefaultMilliCPURequest/DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function isRestartableInit(c: Container): boolean {
  return (c as Container & { restartPolicy?: string }).restartPolicy === 'Always';
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests as ResourceList);
  if (nonZero) {
    const req = c.resources?.requests ?? {};
    if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective request, as resourcehelper.PodRequests: the sum over app containers, compared with
 * every regular init container (plus the restartable "sidecar" init containers started before it), taking the
 * max per resource; sidecars count towards the steady state; then pod overhead is added.
 * With nonZero, containers without a cpu/memory request count as 100m / 200Mi (used by scoring).
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = new Resource();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) reqs.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isRestartableInit(c)) {
      sidecars.add(r);
      initMax.setMax(sidecars);
    } else {
      const withSidecars = sidecars.clone();
      withSidecars.add(r);
      initMax.setMax(withSidecars);
    }
  }
  reqs.add(sidecars);
  reqs.setMax(initMax);
  reqs.addList(spec.overhead as ResourceList);
  return reqs;
}
