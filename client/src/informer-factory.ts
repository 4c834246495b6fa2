// SharedInformerFactory: one informer per resource (+ namespace + selectors) per process, started together.
import type { Pod, Node, Namespace, Service, Endpoints, ConfigMap, Secret, ServiceAccount, Event } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet, DaemonSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { ResourceInfo } from '@k8ts/api/resources.ts';
import { apiVersionOf } from '@k8ts/api/resources.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import type { Logger } from 'pino';
import type { Clientset, Typed } from './clientset.ts';
import { SharedIndexInformer } from './informer.ts';
import type { InformerOptions } from './informer.ts';

export interface InformerFactoryOptions {
  /** Default handler resync period (0: never). */
  defaultResyncMs?: number;
  /** Restrict every informer to one namespace. */
  namespace?: string;
  logger?: Logger;
  /** Reflector tuning (tests shorten backoffs). */
  reflector?: Pick<InformerOptions<KubeObject>, 'initialBackoffMs' | 'maxBackoffMs' | 'minWatchTimeoutSeconds' | 'pageSize'>;
}

export interface InformerSelector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class SharedInformerFactory {
  readonly clientset: Clientset;
  private readonly o: InformerFactoryOptions;
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private readonly started = new Set<string>();
  private readonly runs: Promise<void>[] = [];
  private readonly ctl = new AbortController();

  constructor(clientset: Clientset, o: InformerFactoryOptions = {}) {
    this.clientset = clientset;
    this.o = o;
  }

  /** The shared informer for a resource and selector; created on first use. */
  informerFor<T extends KubeObject = KubeObject>(info: ResourceInfo, sel: InformerSelector = {}): SharedIndexInformer<T> {
    const ns = info.namespaced ? (sel.namespace ?? this.o.namespace ?? '') : '';
    const key = `${apiVersionOf(info)}/${info.resource}|${ns}|${sel.labelSelector ?? ''}|${sel.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      const client = this.clientset.resource<KubeObject>(info, ns || undefined);
      inf = new SharedIndexInformer<KubeObject>(client, {
        ...this.o.reflector,
        name: info.resource,
        labelSelector: sel.labelSelector,
        fieldSelector: sel.fieldSelector,
        resyncPeriodMs: this.o.defaultResyncMs ?? 0,
        logger: this.o.logger,
      });
      this.informers.set(key, inf);
    }
    return inf as unknown as SharedIndexInformer<T>;
  }

  /** Starts every informer not started yet (call again after asking for more informers). */
  start(signal?: AbortSignal): void {
    const s = signal ? AbortSignal.any([signal, this.ctl.signal]) : this.ctl.signal;
    for (const [key, inf] of this.informers) {
      if (this.started.has(key)) continue;
      this.started.add(key);
      this.runs.push(inf.run(s));
    }
  }

  /** Waits for every started informer's first list; the result maps informer key → synced. */
  async waitForCacheSync(signal?: AbortSignal): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    await Promise.all([...this.informers].filter(([k]) => this.started.has(k)).map(async ([k, inf]) => {
      out.set(k, await inf.waitForCacheSync(signal));
    }));
    return out;
  }

  /** Stops all informers and waits for their reflectors to end. */
  async shutdown(): Promise<void> {
    this.ctl.abort();
    await Promise.allSettled(this.runs);
  }

  private core<T>(resource: string, sel?: InformerSelector) {
    return this.informerFor<Typed<T>>(this.clientset.infoFor(resource), sel);
  }

  namespaces(sel?: InformerSelector) { return this.core<Namespace>('namespaces', sel); }
  nodes(sel?: InformerSelector) { return this.core<Node>('nodes', sel); }
  pods(sel?: InformerSelector) { return this.core<Pod>('pods', sel); }
  services(sel?: InformerSelector) { return this.core<Service>('services', sel); }
  endpoints(sel?: InformerSelector) { return this.core<Endpoints>('endpoints', sel); }
  configMaps(sel?: InformerSelector) { return this.core<ConfigMap>('configmaps', sel); }
  secrets(sel?: InformerSelector) { return this.core<Secret>('secrets', sel); }
  serviceAccounts(sel?: InformerSelector) { return this.core<ServiceAccount>('serviceaccounts', sel); }
  events(sel?: InformerSelector) { return this.core<Event>('events', sel); }
  deployments(sel?: InformerSelector) { return this.core<Deployment>('deployments.apps', sel); }
  replicaSets(sel?: InformerSelector) { return this.core<ReplicaSet>('replicasets.apps', sel); }
  daemonSets(sel?: InformerSelector) { return this.core<DaemonSet>('daemonsets.apps', sel); }
  statefulSets(sel?: InformerSelector) { return this.core<StatefulSet>('statefulsets.apps', sel); }
  jobs(sel?: InformerSelector) { return this.core<Job>('jobs.batch', sel); }
  leases(sel?: InformerSelector) { return this.core<Lease>('leases.coordination.k8s.io', sel); }
  endpointSlices(sel?: InformerSelector) { return this.core<EndpointSlice>('endpointslices.discovery.k8s.io', sel); }
}
