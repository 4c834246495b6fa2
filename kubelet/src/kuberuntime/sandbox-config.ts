// The CRI PodSandboxConfig of a pod (upstream generatePodSandboxConfig): metadata, hostname, log
// directory, DNS, port mappings from hostPorts, labels/annotations, namespaces and security context.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import type { DNSConfig, PodSandboxConfig, PortMapping, Protocol } from '../cri/types.ts';
import { sandboxAnnotations, sandboxLabels } from './labels.ts';

export interface DnsSettings {
  /** --cluster-dns addresses; empty: ClusterFirst falls back to Default. */
  clusterDns: string[];
  /** --cluster-domain (cluster.local). */
  clusterDomain: string;
  /** Host resolv.conf used by dnsPolicy Default (--resolv-conf). */
  resolvConf: string;
}

/** <logsDir>/<namespace>_<name>_<uid> (upstream BuildPodLogsDirectory). */
export function podLogsDirectory(podLogsDir: string, pod: Pod): string {
  return join(podLogsDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);
}

export function parseResolvConf(text: string): Required<DNSConfig> {
  const out: Required<DNSConfig> = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function readResolvConf(path: string): Required<DNSConfig> {
  try { return parseResolvConf(readFileSync(path, 'utf8')); } catch { return { servers: [], searches: [], options: [] }; }
}

/** The pod's DNS config per dnsPolicy (upstream dns.Configurer.GetPodDNS). */
export function podDnsConfig(pod: Pod, s: DnsSettings, readHost: (p: string) => Required<DNSConfig> = readResolvConf): DNSConfig {
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (pod.spec?.hostNetwork && policy === 'ClusterFirst') policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && s.clusterDns.length === 0) policy = 'Default';
  let cfg: Required<DNSConfig>;
  if (policy === 'None') cfg = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') cfg = readHost(s.resolvConf);
  else {
    const host = readHost(s.resolvConf);
    const ns = pod.metadata?.namespace ?? 'default';
    const d = s.clusterDomain;
    cfg = { servers: [...s.clusterDns], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.servers = [...new Set([...cfg.servers, ...(extra.nameservers ?? [])])];
    cfg.searches = [...new Set([...cfg.searches, ...(extra.searches ?? [])])];
    const opts = new Map(cfg.options.map((o) => [o.split(':')[0]!, o]));
    for (const o of extra.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '');
    cfg.options = [...opts.values()];
  }
  cfg.searches = cfg.searches.slice(0, 32);
  return cfg;
}

export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname ?? pod.metadata?.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
}

export function podPortMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: (p.protocol ?? 'TCP') as Protocol, containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

/** cgroupParent: the pod's cgroup (--cgroups-per-qos); absent: the runtime's default. */
export function podSandboxConfig(pod: Pod, attempt: number, o: { podLogsDir: string; dns: DnsSettings; cgroupParent?: string }): PodSandboxConfig {
  const sc = pod.spec?.securityContext;
  const hostNetwork = pod.spec?.hostNetwork === true;
  return {
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid ?? '', attempt },
    hostname: hostNetwork ? undefined : podHostname(pod),
    logDirectory: podLogsDirectory(o.podLogsDir, pod),
    dnsConfig: podDnsConfig(pod, o.dns),
    portMappings: podPortMappings(pod),
    labels: sandboxLabels(pod),
    annotations: sandboxAnnotations(pod),
    linux: {
      ...(o.cgroupParent ? { cgroupParent: o.cgroupParent } : {}),
      securityContext: {
        namespaceOptions: {
          network: hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
        },
        runAsUser: sc?.runAsUser !== undefined ? { value: sc.runAsUser } : undefined,
        runAsGroup: sc?.runAsGroup !== undefined ? { value: sc.runAsGroup } : undefined,
        supplementalGroups: sc?.supplementalGroups,
      },
      sysctls: Object.fromEntries((sc?.sysctls ?? []).map((s) => [s.name, s.value])),
    },
  };
}
