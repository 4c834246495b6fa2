// Clientset: one RestClient and typed resource clients for the kinds k8ts serves.
import type { Pod, Node, Namespace, Service, Endpoints, ConfigMap, Secret, ServiceAccount, Event } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet, DaemonSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { ResourceInfo } from '@k8ts/api/resources.ts';
import { lookupResource, lookupKind, resolveResource } from '@k8ts/api/resources.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import { RestClient } from './rest.ts';
import type { RestClientOptions } from './rest.ts';
import type { RestConfig } from './kubeconfig.ts';
import { ResourceClient } from './resource-client.ts';

/** The kubernetes-types objects, made to satisfy KubeObject (metadata is always present on stored objects). */
export type Typed<T> = T & KubeObject;

function info(group: string, version: string, resource: string): ResourceInfo {
  const r = lookupResource(group, version, resource);
  if (!r) throw new Error(`unknown resource ${group}/${version}/${resource}`);
  return r;
}

export class Clientset {
  readonly rest: RestClient;
  readonly config: RestConfig;

  /** From a RestConfig, or around an existing RestClient (e.g. a subclass that logs requests). */
  constructor(config: RestConfig | RestClient, opts?: RestClientOptions) {
    if (config instanceof RestClient) {
      this.rest = config;
      this.config = config.config;
    } else {
      this.config = config;
      this.rest = new RestClient(config, opts);
    }
  }

  /** A client for any resource; namespaced resources start at all namespaces (use `.namespace(ns)`). */
  resource<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, info, namespace);
  }

  /** A client by apiVersion + kind (e.g. for manifests); undefined for kinds k8ts does not serve. */
  forKind<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string): ResourceClient<T> | undefined {
    const r = lookupKind(apiVersion, kind);
    return r ? this.resource<T>(r, namespace) : undefined;
  }

  /** A client for what a user types ("po", "deploy", "deployments.apps"). */
  forName<T extends KubeObject = KubeObject>(name: string, namespace?: string): ResourceClient<T> | undefined {
    const r = resolveResource(name);
    return r ? this.resource<T>(r, namespace) : undefined;
  }

  /** The ResourceInfo for a name as kubectl resolves it ("pods", "deployments.apps"); throws when unknown. */
  infoFor(name: string): ResourceInfo {
    const r = resolveResource(name);
    if (!r) throw new Error(`the server doesn't have a resource type "${name}"`);
    return r;
  }

  namespaces() { return this.resource<Typed<Namespace>>(info('', 'v1', 'namespaces')); }
  nodes() { return this.resource<Typed<Node>>(info('', 'v1', 'nodes')); }
  pods(ns?: string) { return this.resource<Typed<Pod>>(info('', 'v1', 'pods'), ns); }
  services(ns?: string) { return this.resource<Typed<Service>>(info('', 'v1', 'services'), ns); }
  endpoints(ns?: string) { return this.resource<Typed<Endpoints>>(info('', 'v1', 'endpoints'), ns); }
  configMaps(ns?: string) { return this.resource<Typed<ConfigMap>>(info('', 'v1', 'configmaps'), ns); }
  secrets(ns?: string) { return this.resource<Typed<Secret>>(info('', 'v1', 'secrets'), ns); }
  serviceAccounts(ns?: string) { return this.resource<Typed<ServiceAccount>>(info('', 'v1', 'serviceaccounts'), ns); }
  events(ns?: string) { return this.resource<Typed<Event>>(info('', 'v1', 'events'), ns); }
  deployments(ns?: string) { return this.resource<Typed<Deployment>>(info('apps', 'v1', 'deployments'), ns); }
  replicaSets(ns?: string) { return this.resource<Typed<ReplicaSet>>(info('apps', 'v1', 'replicasets'), ns); }
  daemonSets(ns?: string) { return this.resource<Typed<DaemonSet>>(info('apps', 'v1', 'daemonsets'), ns); }
  statefulSets(ns?: string) { return this.resource<Typed<StatefulSet>>(info('apps', 'v1', 'statefulsets'), ns); }
  jobs(ns?: string) { return this.resource<Typed<Job>>(info('batch', 'v1', 'jobs'), ns); }
  leases(ns?: string) { return this.resource<Typed<Lease>>(info('coordination.k8s.io', 'v1', 'leases'), ns); }
  endpointSlices(ns?: string) { return this.resource<Typed<EndpointSlice>>(info('discovery.k8s.io', 'v1', 'endpointslices'), ns); }

  /** GET /version. */
  version(): Promise<{ major: string; minor: string; gitVersion: string; [k: string]: unknown }> {
    return this.rest.request({ path: '/version' });
  }

  close(): void { this.rest.close(); }
}
