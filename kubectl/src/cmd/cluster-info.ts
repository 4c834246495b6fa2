// kubectl cluster-info: the control plane's address and the kube-system services labelled
// kubernetes.io/cluster-service=true, with the links kubectl 1.32 prints for them.
// `cluster-info dump` is not implemented.
import type { Service, ServiceList } from 'kubernetes-types/core/v1';
import type { Factory } from '../factory.ts';

const debugHint = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";

/** utilnet.JoinSchemeNamePort: "https:name:port", "name:port" or "name". */
function joinSchemeNamePort(scheme: string, name: string, port: string): string {
  if (scheme) return `${scheme}:${name}:${port}`;
  if (port) return `${name}:${port}`;
  return name;
}

/** The link kubectl prints for a cluster service: its load balancer, else the API server's service proxy. */
export function serviceLink(host: string, svc: Service): string {
  const ingress = svc.status?.loadBalancer?.ingress?.[0];
  if (ingress) {
    const ip = ingress.ip || ingress.hostname || '';
    return (svc.spec?.ports ?? []).map((p) => `http://${ip}:${p.port} `).join('');
  }
  const meta = svc.metadata ?? {};
  let name = meta.name ?? '';
  const port = svc.spec?.ports?.[0];
  if (port) {
    const scheme = port.name === 'https' || port.port === 443 ? 'https' : '';
    name = joinSchemeNamePort(scheme, meta.name ?? '', port.name ?? '');
  }
  return `${host}/api/v1/namespaces/${meta.namespace ?? ''}/services/${name}/proxy`;
}

/** The lines cluster-info prints for the control plane at `host` and the listed services. */
export function clusterInfoLines(host: string, services: Service[]): string {
  let out = `Kubernetes control plane is running at ${host}\n`;
  for (const s of services) {
    const name = s.metadata?.labels?.['kubernetes.io/name'] || s.metadata?.name || '';
    out += `${name} is running at ${serviceLink(host, s)}\n`;
  }
  return out;
}

export async function runClusterInfo(f: Factory, args: string[]): Promise<void> {
  if (args[0] === 'dump') throw new Error('cluster-info dump is not implemented by this kubectl');
  const host = f.restConfig().server;
  const namespace = f.flags.namespace || 'kube-system';
  try {
    const list = await f.rest().request<ServiceList>({
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`,
      query: { labelSelector: 'kubernetes.io/cluster-service=true' },
    });
    f.io.out(clusterInfoLines(host, list?.items ?? []));
  } finally {
    f.io.out(debugHint);
  }
}
