// Container environment (upstream kubelet makeEnvironmentVariables): env values with $(VAR)
// expansion, fieldRef / resourceFieldRef / configMapKeyRef / secretKeyRef, and envFrom. A missing
// non-optional reference is a CreateContainerConfigError.
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1';
import { milliValue, value as quantityValue } from '@k8ts/api/quantity.ts';
import type { KeyValue } from '../cri/types.ts';

export interface ConfigSource {
  /** The ConfigMap, or undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Services of a namespace, for service environment variables (optional). */
  services?(namespace: string): Service[];
}

/** Docker-link style variables of services (upstream envvars.FromServices). */
export function serviceEnv(services: Service[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of [...services].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name = (svc.metadata?.name ?? '').toUpperCase().replace(/-/g, '_');
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    out[`${name}_SERVICE_HOST`] = ip;
    out[`${name}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
    const proto = (ports[0]!.protocol ?? 'TCP').toLowerCase();
    out[`${name}_PORT`] = `${proto}://${ip}:${ports[0]!.port}`;
    for (const p of ports) {
      const pr = (p.protocol ?? 'TCP');
      const prefix = `${name}_PORT_${p.port}_${pr.toUpperCase()}`;
      out[prefix] = `${pr.toLowerCase()}://${ip}:${p.port}`;
      out[`${prefix}_PROTO`] = pr.toLowerCase();
      out[`${prefix}_PORT`] = String(p.port);
      out[`${prefix}_ADDR`] = ip;
    }
  }
  return out;
}

export class CreateContainerConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'CreateContainerConfigError'; }
}

export interface PodNetworkInfo { podIPs: string[]; hostIPs: string[] }

/** Expands $(VAR) from vars; $$ escapes; unknown references stay as written (upstream expansion.Expand). */
export function expandVars(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) { out += c; continue; }
    const n = input[i + 1];
    if (n === '$') { out += '$'; i++; continue; }
    if (n === '(') {
      const end = input.indexOf(')', i + 2);
      if (end > 0) {
        const name = input.slice(i + 2, end);
        out += name in vars ? vars[name] : `$(${name})`;
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The value of a downward-API field path (metadata.name, status.podIP, metadata.labels['k'], ...). */
export function podFieldValue(pod: Pod, path: string, net: PodNetworkInfo): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata?.labels);
    case 'metadata.annotations': return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': return net.podIPs[0] ?? '';
    case 'status.podIPs': return net.podIPs.join(',');
    case 'status.hostIP': return net.hostIPs[0] ?? '';
    case 'status.hostIPs': return net.hostIPs.join(',');
    default: throw new CreateContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** A resourceFieldRef value (limits.cpu, requests.memory, ...), with the divisor applied, rounded up. */
export function resourceFieldValue(container: Container, resource: string, divisor = '1', nodeAllocatable: Record<string, string> = {}): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = container.resources?.[kind]?.[name] ?? (kind === 'limits' ? nodeAllocatable[name] : undefined) ?? '0';
  if (name === 'cpu') return String(Math.max(Math.ceil(milliValue(q) / milliValue(divisor)), kind === 'limits' || milliValue(q) > 0 ? 1 : 0));
  return String(Math.ceil(quantityValue(q) / quantityValue(divisor)));
}

export async function makeEnvironment(pod: Pod, container: Container, src: ConfigSource, net: PodNetworkInfo,
  nodeAllocatable: Record<string, string> = {}): Promise<KeyValue[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars: Record<string, string> = {};
  const order: string[] = [];
  const set = (k: string, v: string) => { if (!(k in vars)) order.push(k); vars[k] = v; };

  // Service links: the pod's namespace (when enableServiceLinks) and the master service in default.
  if (src.services) {
    const svcs = (pod.spec?.enableServiceLinks ?? true) ? src.services(ns) : [];
    const byName = new Map(svcs.map((s) => [s.metadata?.name ?? '', s]));
    const master = src.services('default').find((s) => s.metadata?.name === 'kubernetes');
    if (master && !(ns === 'default' && byName.has('kubernetes'))) byName.set('kubernetes', master);
    for (const [k, v] of Object.entries(serviceEnv([...byName.values()]))) set(k, v);
  }

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new CreateContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) set(prefix + k, v);
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new CreateContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) set(prefix + k, Buffer.from(v, 'base64').toString());
    }
  }

  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) { set(e.name, expandVars(e.value ?? '', vars)); continue; }
    const vf = e.valueFrom;
    if (vf.fieldRef) set(e.name, podFieldValue(pod, vf.fieldRef.fieldPath, net));
    else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === vf.resourceFieldRef!.containerName) ?? container
        : container;
      set(e.name, resourceFieldValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, nodeAllocatable));
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await src.configMap(ns, ref.name ?? '');
      const v = cm?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new CreateContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      set(e.name, v);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await src.secret(ns, ref.name ?? '');
      const v = s?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new CreateContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      set(e.name, Buffer.from(v, 'base64').toString());
    }
  }
  return order.map((key) => ({ key, value: vars[key]! }));
}
