// The kubelet-managed /etc/hosts of a pod (upstream kubelet_pods.go managedHostsFileContent):
// localhost entries, the pod's own address and name (FQDN with a subdomain), then hostAliases.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { Mount } from '../cri/types.ts';
import { podDir } from './volumes.ts';
import { podHostname } from './sandbox-config.ts';

export function managedHostsFileContent(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = podHostname(pod);
  const sub = pod.spec?.subdomain;
  for (const ip of podIPs) {
    lines.push(sub ? `${ip}\t${hostname}.${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}\t${hostname}` : `${ip}\t${hostname}`);
  }
  if (pod.spec?.hostAliases?.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of pod.spec.hostAliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the pod's hosts file; returns its path, or undefined for host-network pods (they see the node's). */
export function ensureHostsFile(rootDir: string, pod: Pod, podIPs: string[], clusterDomain: string): string | undefined {
  if (pod.spec?.hostNetwork || podIPs.length === 0) return undefined;
  const dir = podDir(rootDir, pod.metadata?.uid ?? '');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'etc-hosts');
  writeFileSync(path, managedHostsFileContent(pod, podIPs, clusterDomain));
  return path;
}

/** The /etc/hosts mount of a container, unless it mounts its own. */
export function hostsMount(path: string | undefined, c: Container): Mount[] {
  if (!path || (c.volumeMounts ?? []).some((m) => m.mountPath === '/etc/hosts')) return [];
  return [{ containerPath: '/etc/hosts', hostPath: path, readonly: false }];
}
