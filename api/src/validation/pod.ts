// Pod and PodSpec validation (pkg/apis/core/validation), upstream paths and messages.
import { field, type FieldError, type FieldErrorType } from '../status.ts';
import { compareQuantities, format, parse, QuantityError } from '../quantity.ts';
import {
  inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isRelaxedEnvVarName, isValidLabelValue, isValidPortName, isValidPortNum,
} from './names.ts';
import {
  isObj, join, list, semanticEqual, str, validateAnnotations, validateLabelName, validateLabels, validateNonnegative, type Obj,
} from './meta.ts';

/** "Not found" (upstream field.NotFound); status.ts renders it once it knows the type. */
export const FieldValueNotFound = 'FieldValueNotFound' as FieldErrorType;
export const notFound = (path: string, value: unknown): FieldError => ({ type: FieldValueNotFound, field: path, value });

const idx = (path: string, i: number) => `${path}[${i}]`;
const key = (path: string, k: string) => `${path}[${k}]`;
const MaxInt32 = 2147483647;

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => field.invalid(path, value, m));
}

export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(path, port, m));
  return [field.invalid(path, port ?? null, 'must be an int or a string')];
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(ports).forEach((p, i) => {
    const ip = idx(path, i);
    const name = str(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(field.invalid(join(ip, 'name'), name, m));
      else if (names.has(name)) errs.push(field.duplicate(join(ip, 'name'), name));
      else names.add(name);
    }
    if (!p.containerPort) errs.push(field.required(join(ip, 'containerPort')));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(field.invalid(join(ip, 'containerPort'), p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(field.invalid(join(ip, 'hostPort'), p.hostPort, m));
    if (!p.protocol) errs.push(field.required(join(ip, 'protocol')));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(join(ip, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(env).forEach((e, i) => {
    const ip = idx(path, i);
    const name = str(e.name);
    if (!name) errs.push(field.required(join(ip, 'name')));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(field.invalid(join(ip, 'name'), name, m));
    if (isObj(e.valueFrom)) {
      const vf = e.valueFrom;
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => vf[s] != null);
      if (sources.length === 0) errs.push(field.invalid(join(ip, 'valueFrom'), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(field.invalid(join(ip, 'valueFrom'), '', 'may not have more than one field specified at a time'));
      if (str(e.value)) errs.push(field.invalid(join(ip, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
      for (const s of ['configMapKeyRef', 'secretKeyRef']) {
        if (isObj(vf[s]) && !str(vf[s].key)) errs.push(field.required(join(join(join(ip, 'valueFrom'), s), 'key')));
      }
      if (isObj(vf.fieldRef) && !str(vf.fieldRef.fieldPath)) errs.push(field.required(join(join(join(ip, 'valueFrom'), 'fieldRef'), 'fieldPath')));
    }
  });
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const integerResource = (name: string) => !['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-');
const overcommitAllowed = (name: string) => standardContainerResources.has(name);

function quantityString(q: unknown): string {
  try {
    return format(parse(q as string | number));
  } catch {
    return String(q);
  }
}

function validateResourceEntry(name: string, q: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const extended = name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
  if (!standardContainerResources.has(name) && !name.startsWith('hugepages-') && !extended) {
    errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
  }
  let nanos: bigint;
  try {
    nanos = parse(q as string | number).nanos;
  } catch (e) {
    return [...errs, field.invalid(path, q ?? null, e instanceof QuantityError ? e.message : String(e))];
  }
  if (nanos < 0n) errs.push(field.invalid(path, quantityString(q), 'must be greater than or equal to 0'));
  if (integerResource(name) && nanos % 1_000_000_000n !== 0n) errs.push(field.invalid(path, quantityString(q), 'must be an integer'));
  return errs;
}

export function validateResourceRequirements(res: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(res)) return errs;
  const limPath = join(path, 'limits');
  const reqPath = join(path, 'requests');
  const limits = isObj(res.limits) ? res.limits : {};
  const requests = isObj(res.requests) ? res.requests : {};
  for (const [name, q] of Object.entries(limits)) errs.push(...validateResourceEntry(name, q, key(limPath, name)));
  for (const [name, q] of Object.entries(requests)) {
    const entryErrs = validateResourceEntry(name, q, key(reqPath, name));
    errs.push(...entryErrs);
    if (entryErrs.length) continue;
    if (name in limits) {
      let cmp: number;
      try { cmp = compareQuantities(q as string, limits[name]); } catch { continue; }
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(field.invalid(reqPath, quantityString(q), `must be equal to ${name} limit of ${quantityString(limits[name])}`));
      } else if (cmp > 0) {
        errs.push(field.invalid(reqPath, quantityString(q), `must be less than or equal to ${name} limit of ${quantityString(limits[name])}`));
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(field.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

function validateHandler(h: Obj, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of kinds) {
    if (h[k] == null) continue;
    if (n > 0) { errs.push(field.forbidden(join(path, k), 'may not specify more than 1 handler type')); continue; }
    n++;
    const a = isObj(h[k]) ? h[k] : {};
    const p = join(path, k);
    if (k === 'exec' && !(Array.isArray(a.command) && a.command.length > 0)) errs.push(field.required(join(p, 'command')));
    if (k === 'httpGet') {
      errs.push(...validatePortNumOrName(a.port, join(p, 'port')));
      if (a.scheme && !['HTTP', 'HTTPS'].includes(a.scheme)) errs.push(field.notSupported(join(p, 'scheme'), a.scheme, ['HTTP', 'HTTPS']));
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(a.port, join(p, 'port')));
    if (k === 'grpc') for (const m of isValidPortNum(a.port)) errs.push(field.invalid(join(p, 'port'), a.port ?? 0, m));
    if (k === 'sleep' && !(typeof a.seconds === 'number' && a.seconds > 0)) errs.push(field.invalid(join(p, 'seconds'), a.seconds ?? 0, 'must be greater than 0'));
  }
  if (n === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, path: string): FieldError[] {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], join(path, f)));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(join(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  list(mounts).forEach((m, i) => {
    const ip = idx(path, i);
    const name = str(m.name);
    if (!name) errs.push(field.required(join(ip, 'name')));
    else if (!volumes.has(name)) errs.push(notFound(join(ip, 'name'), name));
    const mp = str(m.mountPath);
    if (!mp) errs.push(field.required(join(ip, 'mountPath')));
    else if (paths.has(mp)) errs.push(field.invalid(join(ip, 'mountPath'), mp, 'must be unique'));
    paths.add(mp);
    if (str(m.subPath).startsWith('/')) errs.push(field.invalid(join(ip, 'subPath'), m.subPath, 'must be a relative path'));
  });
  return errs;
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];

function validateContainer(c: Obj, path: string, volumes: Set<string>, names: Set<string>, kind: 'container' | 'init'): FieldError[] {
  const errs: FieldError[] = [];
  // validateContainerCommon, in upstream's order.
  const name = str(c.name);
  const namePath = join(path, 'name');
  if (!name) errs.push(field.required(namePath));
  else errs.push(...validateDNS1123Label(name, namePath));
  // Like upstream, leading/trailing whitespace in image is only rejected on Pod updates.
  if (!str(c.image)) errs.push(field.required(join(path, 'image')));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(field.required(join(path, 'terminationMessagePolicy')));
  else if (!['File', 'FallbackToLogsOnError'].includes(tmp)) errs.push(field.notSupported(join(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(c.ports, join(path, 'ports')));
  errs.push(...validateEnv(c.env, join(path, 'env')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, join(path, 'volumeMounts')));
  const ipp = str(c.imagePullPolicy);
  if (!ipp) errs.push(field.required(join(path, 'imagePullPolicy')));
  else if (!pullPolicies.includes(ipp)) errs.push(field.notSupported(join(path, 'imagePullPolicy'), ipp, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, join(path, 'resources')));
  // Names are unique across containers and init containers.
  if (names.has(name)) errs.push(field.duplicate(namePath, name));
  else names.add(name);
  const restartable = kind === 'container' || c.restartPolicy === 'Always';
  if (kind === 'init' && c.restartPolicy != null && c.restartPolicy !== 'Always') {
    errs.push(field.notSupported(join(path, 'restartPolicy'), c.restartPolicy, ['Always']));
  }
  if (restartable) {
    if (isObj(c.lifecycle)) {
      for (const h of ['postStart', 'preStop']) if (isObj(c.lifecycle[h])) errs.push(...validateHandler(c.lifecycle[h], join(join(path, 'lifecycle'), h), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (p !== 'readinessProbe' && isObj(c[p]) && c[p].successThreshold != null && c[p].successThreshold !== 1) {
        errs.push(field.invalid(join(join(path, p), 'successThreshold'), c[p].successThreshold, 'must be 1'));
      }
      errs.push(...validateProbe(c[p], join(path, p)));
    }
  } else {
    for (const p of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[p] != null) errs.push(field.forbidden(join(path, p), 'may not be set for init containers without restartPolicy=Always'));
    }
  }
  if (kind === 'container' && c.restartPolicy != null) errs.push(field.forbidden(join(path, 'restartPolicy'), 'may not be set for non-init containers'));
  return errs;
}

/** Volume sources in the order upstream's validateVolumeSource checks them (the second one found is Forbidden). */
const volumeSources = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
];

function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(volumes).forEach((v, i) => {
    const ip = idx(path, i);
    const name = str(v.name);
    if (!name) errs.push(field.required(join(ip, 'name')));
    else {
      const msgs = isDNS1123Label(name);
      for (const m of msgs) errs.push(field.invalid(join(ip, 'name'), name, m));
      if (names.has(name)) errs.push(field.duplicate(join(ip, 'name'), name));
      else names.add(name);
    }
    const set = volumeSources.filter((s) => v[s] != null);
    if (set.length === 0) errs.push(field.required(ip, 'must specify a volume type'));
    for (const s of set.slice(1)) errs.push(field.forbidden(join(ip, s), 'may not specify more than 1 volume type'));
    const src = set.length === 1 ? v[set[0]] : undefined;
    if (isObj(src)) {
      const sp = join(ip, set[0]);
      if (set[0] === 'hostPath' && !str(src.path)) errs.push(field.required(join(sp, 'path')));
      if (set[0] === 'configMap' && !str(src.name)) errs.push(field.required(join(sp, 'name')));
      if (set[0] === 'secret' && !str(src.secretName)) errs.push(field.required(join(sp, 'secretName')));
      if (set[0] === 'persistentVolumeClaim' && !str(src.claimName)) errs.push(field.required(join(sp, 'claimName')));
      for (const mode of ['defaultMode']) {
        if (typeof src[mode] === 'number' && (src[mode] < 0 || src[mode] > 0o777)) {
          errs.push(field.invalid(join(sp, mode), src[mode], 'must be a number between 0 and 0777 (octal), both inclusive'));
        }
      }
      if (set[0] === 'emptyDir' && src.sizeLimit != null) {
        try { parse(src.sizeLimit); } catch (e) { errs.push(field.invalid(join(sp, 'sizeLimit'), src.sizeLimit, (e as Error).message)); }
      }
    }
  });
  return { errs, names };
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(tolerations).forEach((t, i) => {
    const ip = idx(path, i);
    const k = str(t.key);
    if (k) errs.push(...validateLabelName(k, join(ip, 'key')));
    if (!k && t.operator !== 'Exists') {
      errs.push(field.invalid(join(ip, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(field.invalid(join(ip, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(str(t.value));
        if (msgs.length) errs.push(field.invalid(join(ip, 'operator'), str(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(field.invalid(join(ip, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(join(ip, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (str(t.effect)) errs.push(...validateTaintEffect(t.effect, true, join(ip, 'effect')));
  });
  return errs;
}

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): FieldError[] {
  const e = str(effect);
  if (!allowEmpty && !e) return [field.required(path)];
  if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(e)) return [field.notSupported(path, e, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'])];
  return [];
}

const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

/** ValidatePodSpec (spec of a Pod or a pod template). */
export function validatePodSpec(specIn: unknown, path: string): FieldError[] {
  const spec = isObj(specIn) ? specIn : {};
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, join(path, 'volumes'));
  errs.push(...vols.errs);
  const names = new Set<string>();
  const hostNetwork = spec.hostNetwork === true;
  const containers = list(spec.containers);
  if (containers.length === 0) errs.push(field.required(join(path, 'containers')));
  containers.forEach((c, i) => errs.push(...validateContainer(c, idx(join(path, 'containers'), i), vols.names, names, 'container')));
  list(spec.initContainers).forEach((c, i) => errs.push(...validateContainer(c, idx(join(path, 'initContainers'), i), vols.names, names, 'init')));
  if (hostNetwork) {
    containers.forEach((c, i) => list(c.ports).forEach((p, j) => {
      if ((p.hostPort ?? 0) !== p.containerPort) {
        errs.push(field.invalid(`${idx(join(path, 'containers'), i)}.ports[${j}].containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
      }
    }));
  }
  const rp = str(spec.restartPolicy);
  if (!rp) errs.push(field.required(join(path, 'restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(field.notSupported(join(path, 'restartPolicy'), rp, ['Always', 'OnFailure', 'Never']));
  const dp = str(spec.dnsPolicy);
  if (!dp) errs.push(field.required(join(path, 'dnsPolicy')));
  else if (!dnsPolicies.includes(dp)) errs.push(field.notSupported(join(path, 'dnsPolicy'), dp, dnsPolicies));
  if (dp === 'None' && !isObj(spec.dnsConfig)) errs.push(field.required(join(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(spec.nodeSelector, join(path, 'nodeSelector')));
  if (str(spec.serviceAccountName)) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(field.invalid(join(path, 'serviceAccountName'), spec.serviceAccountName, m));
  if (str(spec.nodeName)) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(field.invalid(join(path, 'nodeName'), spec.nodeName, m));
  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MaxInt32) errs.push(field.invalid(join(path, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, MaxInt32)));
  }
  if (str(spec.hostname)) errs.push(...validateDNS1123Label(spec.hostname, join(path, 'hostname')));
  if (str(spec.subdomain)) errs.push(...validateDNS1123Label(spec.subdomain, join(path, 'subdomain')));
  errs.push(...validateTolerations(spec.tolerations, join(path, 'tolerations')));
  if (str(spec.schedulerName)) for (const m of isDNS1123Subdomain(spec.schedulerName)) errs.push(field.invalid(join(path, 'schedulerName'), spec.schedulerName, m));
  if (spec.preemptionPolicy != null && !['Never', 'PreemptLowerPriority'].includes(spec.preemptionPolicy)) {
    errs.push(field.notSupported(join(path, 'preemptionPolicy'), spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  return errs;
}

/** ValidatePodTemplateSpec: note upstream checks the labels at `<path>.labels` (not metadata.labels). */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = isObj(template) ? template : {};
  const meta = isObj(t.metadata) ? t.metadata : {};
  const errs = [
    ...validateLabels(meta.labels, join(path, 'labels')),
    ...validateAnnotations(meta.annotations, join(path, 'annotations')),
    ...validatePodSpec(t.spec, join(path, 'spec')),
  ];
  if (isObj(t.spec) && Array.isArray(t.spec.ephemeralContainers) && t.spec.ephemeralContainers.length > 0) {
    errs.push(field.forbidden(join(join(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export function validatePodCreateSpec(pod: Obj): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  if (isObj(pod.spec) && Array.isArray(pod.spec.ephemeralContainers) && pod.spec.ephemeralContainers.length > 0) {
    errs.push(field.forbidden(join('spec', 'ephemeralContainers'), 'cannot be set on create'));
  }
  return errs;
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(newCs: Obj[], oldCs: Obj[], path: string): { errs: FieldError[]; stop: boolean } {
  if (newCs.length !== oldCs.length) return { errs: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  newCs.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(field.required(join(idx(path, i), 'image')));
    if (image.trim().length !== image.length) errs.push(field.invalid(join(idx(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function onlyAddedTolerations(newT: Obj[], oldT: Obj[], path: string): FieldError[] {
  for (const old of oldT) {
    const found = newT.some((n) => semanticEqual({ ...old, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

/** A line-per-field description of what changed (upstream prints a cmp.Diff of the specs here). */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const lines: string[] = [];
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  for (const k of keys) {
    if (semanticEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(newSpec[k])},`);
  }
  return `  core.PodSpec{\n${lines.join('\n')}\n  }\n`;
}

/** The spec part of ValidatePodUpdate: what may change, and the Forbidden error at `spec` for the rest. */
export function validatePodSpecUpdate(newPod: Obj, oldPod: Obj): FieldError[] {
  const ns = isObj(newPod.spec) ? newPod.spec : {};
  const os = isObj(oldPod.spec) ? oldPod.spec : {};
  const errs: FieldError[] = [];
  const c = containerUpdates(list(ns.containers), list(os.containers), 'spec.containers');
  errs.push(...c.errs);
  if (c.stop) return errs;
  const ic = containerUpdates(list(ns.initContainers), list(os.initContainers), 'spec.initContainers');
  errs.push(...ic.errs);
  if (ic.stop) return errs;
  if (ns.activeDeadlineSeconds != null) {
    const v = ns.activeDeadlineSeconds;
    if (v < 0 || v > MaxInt32) return [...errs, field.invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, MaxInt32))];
    if (os.activeDeadlineSeconds != null && os.activeDeadlineSeconds < v) {
      return [...errs, field.invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value')];
    }
  } else if (os.activeDeadlineSeconds != null) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(list(ns.tolerations), list(os.tolerations), 'spec.tolerations'));
  if (semanticEqual(ns, os)) return errs;
  const munged: Obj = structuredClone(ns);
  const oc = list(os.containers);
  munged.containers = list(munged.containers).map((x, i) => ({ ...x, image: oc[i]?.image }));
  const oic = list(os.initContainers);
  if (Array.isArray(munged.initContainers)) munged.initContainers = list(munged.initContainers).map((x, i) => ({ ...x, image: oic[i]?.image }));
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.tolerations = os.tolerations;
  munged.schedulingGates = os.schedulingGates;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, os)) {
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${specDiff(os, munged)}`));
  }
  return errs;
}
