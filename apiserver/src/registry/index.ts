// The registry: one ResourceStore per served resource, sharing one Storage, each with its watch cache.
import type { Service } from 'kubernetes-types/core/v1';
import { resources, type ResourceInfo, type KubeObject } from '@k8ts/api';
import type { Storage } from '../storage/interface.ts';
import { WatchCache } from '../storage/watch-cache.ts';
import { ResourceStore, type NamespaceLookup } from './store.ts';
import { resourcePrefix, objectKeyPath } from './names.ts';
import { strategyFor } from './kinds/index.ts';
import { serviceStrategy, restoreAllocations } from './kinds/services.ts';
import { ClusterIPAllocator, PortAllocator } from './ipallocator.ts';
import { newContext } from './context.ts';

export interface RegistryOptions {
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  watchCacheCapacity?: number;
}

export class Registry {
  readonly storage: Storage;
  readonly ips: ClusterIPAllocator;
  readonly nodePorts: PortAllocator;
  private readonly stores = new Map<string, ResourceStore>();

  constructor(storage: Storage, o: RegistryOptions) {
    this.storage = storage;
    this.ips = new ClusterIPAllocator(o.serviceClusterIPRange);
    this.nodePorts = new PortAllocator(o.serviceNodePortRange);
    const services = serviceStrategy(this.ips, this.nodePorts);
    const namespaces: NamespaceLookup = {
      // From the cache, with a live read when the cache has not seen it yet (as upstream's
      // NamespaceLifecycle admission falls back to a live lookup).
      phase: async (name) => {
        const info = resources.find((r) => r.resource === 'namespaces' && r.group === '')!;
        const key = objectKeyPath(info, undefined, name);
        const ns = (this.store(info).cache.get(key) ?? await storage.get(key)) as { status?: { phase?: string } } | undefined;
        return ns ? ns.status?.phase ?? 'Active' : undefined;
      },
    };
    for (const info of resources) {
      const cache = new WatchCache(storage, resourcePrefix(info), { capacity: o.watchCacheCapacity });
      this.stores.set(id(info), new ResourceStore(info, storage, cache, strategyFor(info, services), namespaces));
    }
  }

  store(info: ResourceInfo): ResourceStore {
    const s = this.stores.get(id(info));
    if (!s) throw new Error(`no store for ${id(info)}`);
    return s;
  }

  byResource(group: string, resource: string): ResourceStore | undefined {
    return this.stores.get(`${group}/${resource}`);
  }

  /** Starts every watch cache, rebuilds allocations, and creates the built-in namespaces and Service. */
  async start(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.cache.start()));
    const svc = this.byResource('', 'services')!;
    restoreAllocations(svc.cache.list().items as Service[], this.ips, this.nodePorts);
    await this.bootstrap();
  }

  async stop(): Promise<void> {
    for (const s of this.stores.values()) s.cache.stop();
  }

  private async bootstrap(): Promise<void> {
    const ctx = newContext();
    const ns = this.byResource('', 'namespaces')!;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      await ensure(() => ns.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx));
    }
    const svc = this.byResource('', 'services')!;
    await ensure(() => svc.create('default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: this.ips.firstIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
    } as KubeObject, ctx));
  }

  /** Points the `kubernetes` Service's Endpoints at the API server's address. */
  async publishEndpoints(address: string, port: number): Promise<void> {
    const ep = this.byResource('', 'endpoints')!;
    const body: KubeObject = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    };
    await ep.update('default', 'kubernetes', body, newContext());
  }
}

function id(info: ResourceInfo): string {
  return `${info.group}/${info.resource}`;
}

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
}
