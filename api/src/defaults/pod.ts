// Defaults of core/v1 PodSpec and everything inside it (upstream pkg/apis/core/v1/defaults.go plus the
// declarative `+default` markers), applied to Pods and to the pod templates of workloads.
import { parse } from '../quantity.ts';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** The tag of an image reference as upstream's parsers.ParseImageName sees it: "latest" when none and no digest. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

function setProbeDefaults(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  setHandlerDefaults(p);
}

function setHandlerDefaults(h: unknown): void {
  if (!isObj(h)) return;
  if (isObj(h.httpGet)) {
    h.httpGet.path ||= '/';
    h.httpGet.scheme ||= 'HTTP';
  }
}

function setEnvDefaults(env: unknown): void {
  for (const e of list(env)) {
    const ref = e.valueFrom?.fieldRef;
    if (isObj(ref)) ref.apiVersion ||= 'v1';
  }
}

export function setContainerDefaults(c: Obj): void {
  c.imagePullPolicy ||= defaultImagePullPolicy(c.image);
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  if (!isObj(c.resources)) c.resources = {};
  for (const p of list(c.ports)) {
    p.protocol ||= 'TCP';
  }
  setProbeDefaults(c.livenessProbe);
  setProbeDefaults(c.readinessProbe);
  setProbeDefaults(c.startupProbe);
  if (isObj(c.lifecycle)) {
    setHandlerDefaults(c.lifecycle.postStart);
    setHandlerDefaults(c.lifecycle.preStop);
  }
  setEnvDefaults(c.env);
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];
export { volumeSources };

export function setVolumeDefaults(v: Obj): void {
  if (!volumeSources.some((s) => v[s] != null)) v.emptyDir = {};
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObj(v[s]) && v[s].defaultMode == null) v[s].defaultMode = 420;
  }
  if (isObj(v.hostPath) && v.hostPath.type == null) v.hostPath.type = '';
  for (const src of list(v.projected?.sources)) {
    const t = src.serviceAccountToken;
    if (isObj(t) && t.expirationSeconds == null) t.expirationSeconds = 3600;
    for (const item of list(src.downwardAPI?.items)) if (isObj(item.fieldRef)) item.fieldRef.apiVersion ||= 'v1';
  }
  for (const item of list(v.downwardAPI?.items)) if (isObj(item.fieldRef)) item.fieldRef.apiVersion ||= 'v1';
  if (isObj(v.image)) v.image.pullPolicy ||= imageTag(v.image.reference ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_PodSpec and the defaults of what it contains; used for Pods and pod templates. */
export function setPodSpecDefaults(spec: Obj): void {
  // v1 conversion: the deprecated serviceAccount mirrors serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of list(spec.containers)) setContainerDefaults(c);
  for (const c of list(spec.initContainers)) setContainerDefaults(c);
  for (const c of list(spec.ephemeralContainers)) setContainerDefaults(c);
  for (const v of list(spec.volumes)) setVolumeDefaults(v);
}

function requestsFromLimits(c: Obj): void {
  const limits = c.resources?.limits;
  if (!isObj(limits)) return;
  c.resources.requests = isObj(c.resources.requests) ? c.resources.requests : {};
  for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
}

/** SetDefaults_Pod: the PodSpec defaults plus what only Pods (not templates) get. */
export function setPodDefaults(pod: Obj): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  setPodSpecDefaults(spec);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) requestsFromLimits(c);
  if (spec.enableServiceLinks == null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
      for (const p of list(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  // The Priority admission plugin: no priorityClassName means priority 0, PreemptLowerPriority.
  if (spec.priority == null && !spec.priorityClassName) spec.priority = 0;
  spec.preemptionPolicy ||= 'PreemptLowerPriority';
}

/** Defaults of a PodTemplateSpec inside a workload (no Pod-only defaults). */
export function setPodTemplateDefaults(template: unknown): void {
  if (!isObj(template)) return;
  if (!isObj(template.spec)) return;
  setPodSpecDefaults(template.spec);
}

/**
 * The Pod's QoS class as upstream computes it (pkg/apis/core/helper/qos): Guaranteed when every container
 * has cpu and memory limits equal to its requests, BestEffort when no container requests or limits cpu or
 * memory, else Burstable. Call after defaulting (requests default to limits).
 */
export function podQOSClass(pod: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const containers = [...list(spec.containers), ...list(spec.initContainers)];
  const compute = ['cpu', 'memory'];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = isObj(c.resources?.requests) ? c.resources.requests : {};
    const lim = isObj(c.resources?.limits) ? c.resources.limits : {};
    for (const r of compute) {
      if (nonZero(req[r]) || nonZero(lim[r])) any = true;
      if (!nonZero(lim[r])) guaranteed = false;
      else if (req[r] != null && !sameQuantity(req[r], lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function nonZero(q: unknown): boolean {
  if (q == null) return false;
  try {
    return parse(q as string | number).nanos !== 0n;
  } catch {
    return false;
  }
}

function sameQuantity(a: unknown, b: unknown): boolean {
  try {
    return parse(a as string | number).nanos === parse(b as string | number).nanos;
  } catch {
    return false;
  }
}
