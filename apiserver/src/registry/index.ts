// The registry: one ResourceStore per served resource, sharing one Storage, each with its watch cache.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { resources, type ResourceInfo, type KubeObject } from '@k8ts/api';
import type { Storage } from '../storage/interface.ts';
import { WatchCache } from '../storage/watch-cache.ts';
import { ResourceStore, type NamespaceLookup } from './store.ts';
import { resourcePrefix, objectKeyPath } from './names.ts';
import { strategyFor } from './kinds/index.ts';
import { serviceStrategy, restoreAllocations } from './kinds/services.ts';
import { ClusterIPAllocator, PortAllocator } from './ipallocator.ts';
import { newContext } from './context.ts';
import {
  KUBERNETES_SERVICE, KUBERNETES_SERVICE_NAMESPACE, LABEL_SERVICE_NAME, endpointSliceUpToDate, kubernetesEndpointSlice, kubernetesEndpoints,
} from './kubernetes-service.ts';

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
    const namespacesInfo = resources.find((r) => r.resource === 'namespaces' && r.group === '')!;
    const namespaces: NamespaceLookup = {
      // From the cache, with a live read when the cache has not seen it yet (as upstream's
      // NamespaceLifecycle admission falls back to a live lookup).
      phase: async (name) => {
        const info = namespacesInfo;
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

  /**
   * Points the `kubernetes` Service's Endpoints and EndpointSlice at the API server's address; other
   * slices labelled for the Service are removed (upstream's EndpointsAdapter.Sync).
   */
  async publishEndpoints(address: string, port: number): Promise<void> {
    const ctx = newContext();
    const ep = this.byResource('', 'endpoints')!;
    await ep.update(KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE, kubernetesEndpoints(address, port) as unknown as KubeObject, ctx);
    const slices = this.byResource('discovery.k8s.io', 'endpointslices')!;
    const want = kubernetesEndpointSlice(address, port);
    const list = await slices.list(KUBERNETES_SERVICE_NAMESPACE, { labelSelector: `${LABEL_SERVICE_NAME}=${KUBERNETES_SERVICE}` });
    for (const other of list.items) {
      if (other.metadata.name === KUBERNETES_SERVICE && (other as unknown as EndpointSlice).addressType === want.addressType) continue;
      await slices.delete(KUBERNETES_SERVICE_NAMESPACE, other.metadata.name!, {}, ctx).catch((e: unknown) => {
        if ((e as { code?: number }).code !== 404) throw e;
      });
    }
    const cur = await slices.get(KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE).catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }) as EndpointSlice | undefined;
    if (!cur || cur.addressType !== want.addressType) {
      if (cur) await slices.delete(KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE, {}, ctx);
      await ensure(() => slices.create(KUBERNETES_SERVICE_NAMESPACE, structuredClone(want) as unknown as KubeObject, ctx));
      return;
    }
    if (endpointSliceUpToDate(cur, want)) return;
    await slices.guaranteedUpdate(KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE, ctx, (o) => {
      const s = o as unknown as EndpointSlice;
      s.metadata = { ...s.metadata, labels: want.metadata!.labels };
      s.endpoints = want.endpoints;
      s.ports = want.ports;
      return o;
    });
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
