// Subject alternative names: normalisation, defaults for the API server, and coverage checks.
import { isIP } from 'node:net';
import { x509 } from './x509.ts';

export interface SANs {
  hosts: string[];
  ips: string[];
}

/** The first address of the default service CIDR 10.96.0.0/12: the `kubernetes` Service's ClusterIP. */
export const defaultServiceIP = '10.96.0.1';

/** Names every kube-apiserver serving certificate carries, as kubeadm issues them. */
export const apiServerDefaultSANs: SANs = {
  hosts: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'],
  ips: ['127.0.0.1', defaultServiceIP],
};

/** Canonical text of an IP address (IPv6 compressed, lower case); throws on anything else. */
export function canonicalIP(ip: string): string {
  const v = isIP(ip);
  if (v === 4) return ip;
  if (v === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  throw new Error(`invalid IP address ${JSON.stringify(ip)}`);
}

export function canonicalHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (!h || /[\s/]/.test(h)) throw new Error(`invalid DNS name ${JSON.stringify(host)}`);
  return h;
}

/** Union of several SAN sets, normalised and without duplicates, order kept. */
export function mergeSANs(...sets: Partial<SANs>[]): SANs {
  const hosts = new Set<string>();
  const ips = new Set<string>();
  for (const s of sets) {
    for (const h of s.hosts ?? []) hosts.add(canonicalHost(h));
    for (const ip of s.ips ?? []) ips.add(canonicalIP(ip));
  }
  return { hosts: [...hosts], ips: [...ips] };
}

export function sanExtension(sans: SANs): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension([
    ...sans.hosts.map((value) => ({ type: 'dns' as const, value })),
    ...sans.ips.map((value) => ({ type: 'ip' as const, value })),
  ]);
}

/** The DNS names and IP addresses a certificate is valid for. */
export function certificateSANs(cert: x509.X509Certificate | string): SANs {
  const c = typeof cert === 'string' ? new x509.X509Certificate(cert) : cert;
  const ext = c.getExtension(x509.SubjectAlternativeNameExtension);
  const hosts: string[] = [];
  const ips: string[] = [];
  for (const n of ext?.names.items ?? []) {
    if (n.type === 'dns') hosts.push(canonicalHost(n.value));
    else if (n.type === 'ip') ips.push(canonicalIP(n.value));
  }
  return { hosts, ips };
}

/** True when every wanted name and address is among the certificate's SANs. */
export function sansCover(have: SANs, want: Partial<SANs>): boolean {
  const w = mergeSANs(want);
  const hosts = new Set(have.hosts.map(canonicalHost));
  const ips = new Set(have.ips.map(canonicalIP));
  return w.hosts.every((h) => hosts.has(h)) && w.ips.every((ip) => ips.has(ip));
}
