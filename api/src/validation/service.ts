// Service validation (ValidateService / ValidateServiceUpdate), upstream paths and messages.
import { field, type FieldError } from '../status.ts';
import { isDNS1123Subdomain, isValidIP, isValidPortNum } from './names.ts';
import { isObj, join, list, str, validateLabels, type Obj } from './meta.ts';
import { validateDNS1123Label, validatePortNumOrName } from './pod.ts';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

const isHeadless = (spec: Obj) => spec.clusterIP === 'None';

/** The clusterIPs the registry would store: clusterIPs, else [clusterIP]. */
function clusterIPsOf(spec: Obj): string[] {
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
  if (ips.length === 0 && str(spec.clusterIP)) return [str(spec.clusterIP)];
  return ips;
}

export function validateServiceSpec(svc: Obj): FieldError[] {
  const spec = isObj(svc.spec) ? svc.spec : {};
  const errs: FieldError[] = [];
  const ports = list(spec.ports);
  const type = str(spec.type);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(field.required('spec.ports'));
  if (!type) errs.push(field.required('spec.type'));
  else if (!serviceTypes.includes(type)) errs.push(field.notSupported('spec.type', type, serviceTypes));
  if (type === 'ExternalName') {
    if (clusterIPsOf(spec).length > 0) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy != null) errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(field.invalid('spec.externalName', cname, m));
    else errs.push(field.required('spec.externalName'));
  }
  const names = new Set<string>();
  const requireName = ports.length > 1;
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    const name = str(p.name);
    if (requireName && !name) errs.push(field.required(join(pp, 'name')));
    else if (name) {
      errs.push(...validateDNS1123Label(name, join(pp, 'name')));
      if (names.has(name)) errs.push(field.duplicate(join(pp, 'name'), name));
      else names.add(name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(field.invalid(join(pp, 'port'), p.port ?? 0, m));
    if (!str(p.protocol)) errs.push(field.required(join(pp, 'protocol')));
    else if (!protocols.includes(p.protocol)) errs.push(field.notSupported(join(pp, 'protocol'), p.protocol, protocols));
    if (p.targetPort != null) errs.push(...validatePortNumOrName(p.targetPort, join(pp, 'targetPort')));
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) errs.push(field.duplicate(`spec.ports[${i}]`, { protocol: p.protocol, port: p.port, targetPort: 0 }));
    seen.add(k);
  });
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  if (spec.sessionAffinity == null || spec.sessionAffinity === '') errs.push(field.required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t === 'number' && (t <= 0 || t > 86400)) {
      errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinityConfig != null) {
    errs.push(field.invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${spec.sessionAffinity}`));
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  clusterIPsOf(spec).forEach((ip, i) => {
    if (ip === 'None' && i === 0) return;
    if (!isValidIP(ip)) errs.push(field.invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (spec.externalTrafficPolicy) {
    if (!externallyAccessible) errs.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) errs.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  } else if (externallyAccessible) {
    errs.push(field.required('spec.externalTrafficPolicy'));
  }
  if (spec.internalTrafficPolicy != null && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  for (const [i, ip] of (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).entries()) {
    if (!isValidIP(str(ip))) errs.push(field.invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  return errs;
}

/** clusterIPs may not change once set (except to/from ExternalName). */
export function validateServiceUpdateSpec(svc: Obj, old: Obj): FieldError[] {
  const spec = isObj(svc.spec) ? svc.spec : {};
  const oldSpec = isObj(old.spec) ? old.spec : {};
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const oldIPs = clusterIPsOf(oldSpec);
  let newIPs = clusterIPsOf(spec);
  // A changed spec.clusterIP with untouched clusterIPs changes the primary IP (upstream normalizes so).
  if (str(spec.clusterIP) && newIPs.length > 0 && spec.clusterIP !== newIPs[0] && JSON.stringify(newIPs) === JSON.stringify(oldIPs)) {
    newIPs = [spec.clusterIP, ...newIPs.slice(1)];
  }
  const errs: FieldError[] = [];
  if (oldIPs.length === 0) return errs;
  if (newIPs.length === 0) return [field.invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset')];
  const n = Math.min(oldIPs.length, newIPs.length);
  for (let i = 0; i < n; i++) {
    if (oldIPs[i] !== newIPs[i]) errs.push(field.invalid(`spec.clusterIPs[${i}]`, newIPs, 'may not change once set'));
  }
  return errs;
}

/**
 * What upstream's Service update strategy does before validating a PUT: values the allocators assigned
 * (clusterIP/clusterIPs, ipFamilies, nodePorts, healthCheckNodePort) that the new object leaves empty are
 * carried over from the stored one. Mutates svc.
 */
export function patchAllocatedValues(svc: Obj, old: Obj): void {
  const spec = isObj(svc.spec) ? svc.spec : (svc.spec = {});
  const oldSpec = isObj(old.spec) ? old.spec : {};
  const needsClusterIP = (s: Obj) => s.type !== 'ExternalName';
  if (needsClusterIP(spec) && needsClusterIP(oldSpec)) {
    if (!str(spec.clusterIP) && str(oldSpec.clusterIP)) spec.clusterIP = oldSpec.clusterIP;
    if ((!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) && Array.isArray(oldSpec.clusterIPs) && spec.clusterIP === oldSpec.clusterIP) {
      spec.clusterIPs = [...oldSpec.clusterIPs];
    }
  }
  const usesNodePorts = (s: Obj) => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (usesNodePorts(spec) && usesNodePorts(oldSpec)) {
    const oldPorts = list(oldSpec.ports);
    for (const p of list(spec.ports)) {
      if (p.nodePort) continue;
      const match = oldPorts.find((o) => (str(p.name) && o.name === p.name) || (!str(p.name) && o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP')));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}
