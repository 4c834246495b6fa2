// Validation of the smaller core/v1 kinds and of Lease and EndpointSlice: Namespace, Node, ConfigMap,
// Secret, ServiceAccount, Endpoints, Event, Lease, EndpointSlice, Binding, Eviction.
import { field, type FieldError } from '../status.ts';
import { byteLength, isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, isValidPortNum } from './names.ts';
import { isObj, list, str, validateImmutableField, validateLabelName, validateNonnegative, type Obj } from './meta.ts';
import { validateDNS1123Label, validateTaintEffect } from './pod.ts';
import { parse } from '../quantity.ts';

export const MaxSecretSize = 1 * 1024 * 1024;

export function validateNamespaceSpec(ns: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of Array.isArray(ns.spec?.finalizers) ? ns.spec.finalizers : []) {
    const s = str(f);
    if (!s.includes('/') && s !== 'kubernetes') {
      errs.push(field.invalid('spec.finalizers', s, 'name is neither a standard finalizer name nor is it fully qualified'));
    } else for (const m of isQualifiedName(s)) errs.push(field.invalid('spec.finalizers', s, m));
  }
  return errs;
}

export function validateNodeSpec(node: Obj): FieldError[] {
  const spec = isObj(node.spec) ? node.spec : {};
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  list(spec.taints).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    errs.push(...validateLabelName(str(t.key), `${p}.key`));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(field.invalid(`${p}.value`, str(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const k = `${t.effect}\u0000${t.key}`;
    if (unique.has(k)) errs.push({ ...field.duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
    unique.add(k);
  });
  const cidrs = [...(str(spec.podCIDR) ? [spec.podCIDR] : []), ...(Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [])];
  for (const c of new Set(cidrs.map(str))) {
    const [ip, bits] = c.split('/');
    if (!ip || bits === undefined || !isValidIP(ip) || !/^\d+$/.test(bits)) errs.push(field.invalid('spec.podCIDRs', c, 'must be a valid CIDR'));
  }
  if (isObj(node.status)) {
    for (const f of ['capacity', 'allocatable']) {
      if (!isObj(node.status[f])) continue;
      for (const [name, q] of Object.entries(node.status[f])) {
        try { parse(q as string); } catch (e) { errs.push(field.invalid(`status.${f}[${name}]`, q ?? null, (e as Error).message)); }
      }
    }
  }
  return errs;
}

function validateDataKeys(data: unknown, path: string): { errs: FieldError[]; size: number } {
  const errs: FieldError[] = [];
  let size = 0;
  if (!isObj(data)) return { errs, size };
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(`${path}[${k}]`, k, m));
    size += byteLength(k) + (typeof v === 'string' ? byteLength(v) : 0);
  }
  return { errs, size };
}

export function validateConfigMapData(cm: Obj): FieldError[] {
  const d = validateDataKeys(cm.data, 'data');
  const b = validateDataKeys(cm.binaryData, 'binaryData');
  const errs = [...d.errs, ...b.errs];
  if (isObj(cm.data) && isObj(cm.binaryData)) {
    for (const k of Object.keys(cm.binaryData)) if (k in cm.data) errs.push(field.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  }
  // binaryData travels base64-encoded: count decoded bytes.
  let size = d.size;
  if (isObj(cm.binaryData)) for (const [k, v] of Object.entries(cm.binaryData)) size += byteLength(k) + Math.floor((str(v).length * 3) / 4);
  if (size > MaxSecretSize) errs.push(field.tooLong('', '', MaxSecretSize));
  return errs;
}

export function validateSecretData(secret: Obj): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  const data = isObj(secret.data) ? secret.data : {};
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(`data[${k}]`, k, m));
    size += Math.floor((str(v).length * 3) / 4);
  }
  if (size > MaxSecretSize) errs.push(field.tooLong('data', '', MaxSecretSize));
  const type = str(secret.type);
  const requireKey = (k: string) => { if (!(k in data)) errs.push(field.required(`data[${k}]`)); };
  switch (type) {
    case 'kubernetes.io/service-account-token':
      if (!str(secret.metadata?.annotations?.['kubernetes.io/service-account.name'])) {
        errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg': requireKey('.dockercfg'); break;
    case 'kubernetes.io/dockerconfigjson': requireKey('.dockerconfigjson'); break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(field.required('data[username]'));
      break;
    case 'kubernetes.io/ssh-auth': requireKey('ssh-privatekey'); break;
    case 'kubernetes.io/tls': requireKey('tls.key'); requireKey('tls.crt'); break;
    default: break;
  }
  return errs;
}

export function validateImmutableData(obj: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
    for (const f of ['data', 'binaryData', 'stringData']) {
      if (validateImmutableField(obj[f], old[f], f).length > 0) errs.push(field.forbidden(f, 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export function validateEndpoints(ep: Obj): FieldError[] {
  const errs: FieldError[] = [];
  list(ep.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (list(ss.addresses).length === 0 && list(ss.notReadyAddresses).length === 0) {
      errs.push(field.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const kind of ['addresses', 'notReadyAddresses']) {
      list(ss[kind]).forEach((a, j) => {
        if (!isValidIP(str(a.ip))) errs.push(field.invalid(`${p}.${kind}[${j}].ip`, str(a.ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
        if (str(a.hostname)) errs.push(...validateDNS1123Label(a.hostname, `${p}.${kind}[${j}].hostname`));
      });
    }
    const requireName = list(ss.ports).length > 1;
    list(ss.ports).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (requireName && !str(port.name)) errs.push(field.required(`${pp}.name`));
      else if (str(port.name)) errs.push(...validateDNS1123Label(port.name, `${pp}.name`));
      for (const m of isValidPortNum(port.port)) errs.push(field.invalid(`${pp}.port`, port.port ?? 0, m));
      if (!str(port.protocol)) errs.push(field.required(`${pp}.protocol`));
      else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(field.notSupported(`${pp}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

export function validateEndpointSlice(es: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['FQDN', 'IPv4', 'IPv6'];
  if (!types.includes(es.addressType)) errs.push(field.notSupported('addressType', es.addressType ?? '', types));
  list(es.endpoints).forEach((e, i) => {
    const addrs = Array.isArray(e.addresses) ? e.addresses : [];
    if (addrs.length === 0) errs.push(field.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(field.invalid(`endpoints[${i}].addresses`, addrs.length, 'must contain at most 100 addresses'));
    addrs.forEach((a: unknown, j: number) => {
      const s = str(a);
      const p = `endpoints[${i}].addresses[${j}]`;
      if (es.addressType === 'IPv4' && !/^\d+\.\d+\.\d+\.\d+$/.test(s)) errs.push(field.invalid(p, s, 'must be a valid IPv4 address'));
      else if (es.addressType === 'IPv6' && !(s.includes(':') && isValidIP(s))) errs.push(field.invalid(p, s, 'must be a valid IPv6 address'));
      else if (es.addressType === 'FQDN') for (const m of isDNS1123Subdomain(s)) errs.push(field.invalid(p, s, m));
    });
    if (str(e.hostname)) errs.push(...validateDNS1123Label(e.hostname, `endpoints[${i}].hostname`));
  });
  const names = new Set<string>();
  list(es.ports).forEach((p, i) => {
    const pp = `ports[${i}]`;
    const name = str(p.name);
    if (name) {
      errs.push(...validateDNS1123Label(name, `${pp}.name`));
    }
    if (names.has(name)) errs.push(field.duplicate(`${pp}.name`, name));
    names.add(name);
    if (p.protocol == null) errs.push(field.required(`${pp}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (p.port != null) for (const m of isValidPortNum(p.port)) errs.push(field.invalid(`${pp}.port`, p.port, m));
  });
  return errs;
}

/** core/v1 Events as upstream validates them when posted to the v1 API (legacy rules). */
export function validateEvent(ev: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(ev.metadata?.namespace);
  const involvedNs = str(ev.involvedObject?.namespace);
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    const rc = str(ev.reportingComponent);
    if (!rc) errs.push(field.required('reportingComponent'));
    for (const m of isQualifiedName(rc)) errs.push(field.invalid('reportingComponent', rc, m));
    if (!str(ev.reportingInstance)) errs.push(field.required('reportingInstance'));
    if (str(ev.reportingInstance).length > 128) errs.push(field.invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!str(ev.action)) errs.push(field.required('action'));
    if (str(ev.action).length > 128) errs.push(field.invalid('action', '', 'can have at most 128 characters'));
    if (!str(ev.reason)) errs.push(field.required('reason'));
    if (str(ev.reason).length > 128) errs.push(field.invalid('reason', '', 'can have at most 128 characters'));
    if (str(ev.message).length > 1024) errs.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(field.invalid('namespace', ns, m));
  if (ev.type != null && ev.type !== '' && !['Normal', 'Warning'].includes(ev.type) && ev.eventTime) {
    errs.push(field.notSupported('type', ev.type, ['Normal', 'Warning']));
  }
  return errs;
}

export function validateLeaseSpec(lease: Obj): FieldError[] {
  const spec = isObj(lease.spec) ? lease.spec : {};
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** Binding (pods/binding): target.name is the node. */
export function validateBinding(b: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(b.target?.name)) errs.push(field.required('target.name'));
  if (b.target?.kind && b.target.kind !== 'Node') errs.push(field.notSupported('target.kind', b.target.kind, ['Node', '<empty>']));
  return errs;
}

export function validateDeleteOptions(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (o.orphanDependents != null && o.propagationPolicy != null) {
    errs.push(field.invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (o.propagationPolicy != null && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    errs.push(field.notSupported('propagationPolicy', o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  errs.push(...validateNonnegative(o.gracePeriodSeconds, 'gracePeriodSeconds'));
  for (const [i, d] of (Array.isArray(o.dryRun) ? o.dryRun : []).entries()) {
    if (d !== 'All') errs.push(field.notSupported(`dryRun[${i}]`, d, ['All']));
  }
  return errs;
}

export function validateNodeUpdateSpec(node: Obj, old: Obj): FieldError[] {
  const n = isObj(node.spec) ? node.spec : {};
  const o = isObj(old.spec) ? old.spec : {};
  const errs: FieldError[] = [];
  const oldCIDRs = Array.isArray(o.podCIDRs) ? o.podCIDRs : [];
  if (oldCIDRs.length > 0 && JSON.stringify(n.podCIDRs ?? []) !== JSON.stringify(oldCIDRs)) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (str(o.providerID) && n.providerID !== o.providerID) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export function validateEndpointSliceUpdate(es: Obj, old: Obj): FieldError[] {
  return validateImmutableField(es.addressType, old.addressType, 'addressType');
}
