// setDefaults: upstream 1.32 defaulting for every kind k8ts serves (pkg/apis/{core,apps,batch,discovery}/v1
// defaults.go and the declarative +default markers). Mutates the object; idempotent.
import type { KubeObject } from '../object.ts';
import { setPodDefaults, setPodTemplateDefaults } from './pod.ts';

export { defaultImagePullPolicy, imageTag, podQOSClass, setContainerDefaults, setPodDefaults, setPodSpecDefaults, setPodTemplateDefaults, setVolumeDefaults } from './pod.ts';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const specOf = (o: Obj): Obj => (isObj(o.spec) ? o.spec : (o.spec = {}));
const statusOf = (o: Obj): Obj => (isObj(o.status) ? o.status : (o.status = {}));

export function setServiceDefaults(svc: Obj): void {
  const spec = specOf(svc);
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of list(spec.ports)) {
    p.protocol ||= 'TCP';
    if (p.targetPort == null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'LoadBalancer' || spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.internalTrafficPolicy == null && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) spec.allocateLoadBalancerNodePorts = true;
  // IP families: upstream's service REST allocator fills these for a single-stack IPv4 cluster.
  if (spec.type !== 'ExternalName') {
    const headlessWithoutSelector = spec.clusterIP === 'None' && !(isObj(spec.selector) && Object.keys(spec.selector).length > 0);
    spec.ipFamilyPolicy ||= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
      spec.ipFamilies = typeof spec.clusterIP === 'string' && spec.clusterIP.includes(':') ? ['IPv6'] : ['IPv4'];
    }
  }
  if (spec.type === 'LoadBalancer') {
    for (const ing of list(svc.status?.loadBalancer?.ingress)) if (ing.ip && ing.ipMode == null) ing.ipMode = 'VIP';
  }
}

export function setNamespaceDefaults(ns: Obj): void {
  const name = ns.metadata?.name;
  if (name) {
    ns.metadata.labels = isObj(ns.metadata.labels) ? ns.metadata.labels : {};
    ns.metadata.labels['kubernetes.io/metadata.name'] = name;
  }
  statusOf(ns).phase ||= 'Active';
}

export function setNodeDefaults(node: Obj): void {
  const status = node.status;
  if (isObj(status) && status.allocatable == null && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}

export function setDeploymentDefaults(d: Obj): void {
  const spec = specOf(d);
  if (spec.replicas == null) spec.replicas = 1;
  const strategy = isObj(spec.strategy) ? spec.strategy : (spec.strategy = {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
    if (ru.maxUnavailable == null) ru.maxUnavailable = '25%';
    if (ru.maxSurge == null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds == null) spec.progressDeadlineSeconds = 600;
  setPodTemplateDefaults(spec.template);
}

export function setReplicaSetDefaults(rs: Obj): void {
  const spec = specOf(rs);
  if (spec.replicas == null) spec.replicas = 1;
  setPodTemplateDefaults(spec.template);
}

export function setDaemonSetDefaults(ds: Obj): void {
  const spec = specOf(ds);
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = isObj(us.rollingUpdate) ? us.rollingUpdate : (us.rollingUpdate = {});
    if (ru.maxUnavailable == null) ru.maxUnavailable = 1;
    if (ru.maxSurge == null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  setPodTemplateDefaults(spec.template);
}

export function setStatefulSetDefaults(sts: Obj): void {
  const spec = specOf(sts);
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate) && us.rollingUpdate.partition == null) us.rollingUpdate.partition = 0;
  const retention = isObj(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : (spec.persistentVolumeClaimRetentionPolicy = {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  if (spec.replicas == null) spec.replicas = 1;
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  for (const pvc of list(spec.volumeClaimTemplates)) {
    if (isObj(pvc.spec)) pvc.spec.volumeMode ||= 'Filesystem';
    statusOf(pvc).phase ||= 'Pending';
  }
  setPodTemplateDefaults(spec.template);
}

export function setJobDefaults(job: Obj): void {
  const spec = specOf(job);
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  if (isObj(templateLabels) && !(isObj(job.metadata?.labels) && Object.keys(job.metadata.labels).length > 0)) {
    job.metadata = job.metadata ?? {};
    job.metadata.labels = { ...templateLabels };
  }
  spec.completionMode ||= 'NonIndexed';
  if (spec.suspend == null) spec.suspend = false;
  spec.podReplacementPolicy ||= spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed';
  setPodTemplateDefaults(spec.template);
}

export function setEndpointsDefaults(ep: Obj): void {
  for (const ss of list(ep.subsets)) for (const p of list(ss.ports)) p.protocol ||= 'TCP';
}

export function setEndpointSliceDefaults(es: Obj): void {
  for (const p of list(es.ports)) {
    if (p.name == null) p.name = '';
    p.protocol ||= 'TCP';
  }
}

/** Secret type Opaque; stringData is merged into data (base64), as upstream's v1 conversion does. */
export function setSecretDefaults(secret: Obj): void {
  secret.type ||= 'Opaque';
  if (isObj(secret.stringData)) {
    const data = isObj(secret.data) ? secret.data : (secret.data = {});
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

export function setEventDefaults(ev: Obj): void {
  // Non-omitempty fields of core/v1 Event, as upstream serializes them.
  if (!isObj(ev.involvedObject)) ev.involvedObject = {};
  if (ev.reportingComponent == null) ev.reportingComponent = '';
  if (ev.reportingInstance == null) ev.reportingInstance = '';
}

const byKind: Record<string, (o: Obj) => void> = {
  'v1/Pod': setPodDefaults,
  'v1/Service': setServiceDefaults,
  'v1/Namespace': setNamespaceDefaults,
  'v1/Node': setNodeDefaults,
  'v1/Secret': setSecretDefaults,
  'v1/Endpoints': setEndpointsDefaults,
  'v1/Event': setEventDefaults,
  'apps/v1/Deployment': setDeploymentDefaults,
  'apps/v1/ReplicaSet': setReplicaSetDefaults,
  'apps/v1/DaemonSet': setDaemonSetDefaults,
  'apps/v1/StatefulSet': setStatefulSetDefaults,
  'batch/v1/Job': setJobDefaults,
  'discovery.k8s.io/v1/EndpointSlice': setEndpointSliceDefaults,
};

/** Applies upstream's defaults for the object's apiVersion/kind (no-op for kinds without defaults). Mutates obj. */
export function setDefaults(obj: KubeObject): void {
  const f = byKind[`${obj.apiVersion}/${obj.kind}`];
  if (f) f(obj as Obj);
}
