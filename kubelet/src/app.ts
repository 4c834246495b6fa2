// Starting a kubelet from its options (what main.ts's flags become): connect to the container
// runtime (retrying while it is not there), build the API client, run the Kubelet.
import { networkInterfaces, hostname } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { Clientset, createLogger, loadRestConfig, type Logger } from '@k8ts/client';
import { connectCri, type CriClient } from './cri/client.ts';
import { Kubelet, type KubeletOptions } from './kubelet.ts';
import { parseTaints } from './node/node-status.ts';
import { startKubeletServer, type KubeletServer } from './server/server.ts';
import { servingCert } from './server/tls.ts';

export interface KubeletFlags {
  kubeconfig: string;
  hostnameOverride?: string;
  containerRuntimeEndpoint: string;
  podCidr?: string;
  nodeIp?: string;
  registerWithTaints?: string;
  podLogsDir: string;
  rootDir: string;
  clusterDns?: string;
  clusterDomain?: string;
  resolvConf?: string;
  verbosity?: number;
  /** HTTPS API bind address (--address, default 0.0.0.0) and port (--port, default 10250; 0 picks one). */
  address?: string;
  port?: number;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  /** --cgroups-per-qos (default true): QoS and pod cgroups below cgroupRoot. */
  cgroupsPerQos?: boolean;
  /** --cgroup-root; default /k8ts-<node name> so that several kubelets on one machine stay apart. */
  cgroupRoot?: string;
  /** --cgroup-driver: only cgroupfs (containerd's runc here runs with SystemdCgroup = false). */
  cgroupDriver?: string;
  /** --max-parallel-sandbox-creations (k8ts only): at most N RunPodSandbox calls at once; 0 unlimited. */
  maxParallelSandboxCreations?: number;
}

/** The default --cgroup-root of a node: its own top-level cgroup. */
export const defaultCgroupRoot = (nodeName: string) => `/k8ts-${nodeName}`;

/** The node's first global IPv4 address (upstream: the address of the hostname, or the default route's). */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function connectRuntime(endpoint: string, log: Logger, signal?: AbortSignal): Promise<CriClient> {
  const socket = endpoint.replace(/^unix:\/\//, '');
  let warned = false;
  for (;;) {
    try { return await connectCri(socket, { connectTimeoutMs: 5000 }); } catch (err) {
      if (signal?.aborted) throw err;
      if (!warned) { log.error({ endpoint, err: String(err) }, 'container runtime is not available; retrying'); warned = true; }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

export interface RunningKubelet {
  kubelet: Kubelet;
  server: KubeletServer;
  stop(): Promise<void>;
}

export async function runKubelet(f: KubeletFlags, extra: Partial<KubeletOptions> = {}): Promise<RunningKubelet> {
  const log = extra.log ?? createLogger({ component: 'kubelet', verbosity: f.verbosity });
  const nodeName = (f.hostnameOverride || hostname()).toLowerCase();
  if (f.cgroupDriver && f.cgroupDriver !== 'cgroupfs') throw new Error(`--cgroup-driver=${f.cgroupDriver} is not supported (only cgroupfs)`);
  const client = new Clientset(loadRestConfig({ kubeconfig: f.kubeconfig }));
  mkdirSync(f.rootDir, { recursive: true });
  mkdirSync(f.podLogsDir, { recursive: true });
  const cri = await connectRuntime(f.containerRuntimeEndpoint, log);
  const nodeIPs = [f.nodeIp || defaultNodeIP()];
  let kubelet: Kubelet | undefined;
  const server = await startKubeletServer({
    address: f.address ?? '0.0.0.0', port: f.port ?? 10250, cri, log,
    cert: await servingCert({ certFile: f.tlsCertFile, keyFile: f.tlsPrivateKeyFile, rootDir: f.rootDir, nodeName, ips: nodeIPs }),
    clientCa: f.clientCaFile ? readFileSync(f.clientCaFile, 'utf8') : undefined,
    pods: () => kubelet?.knownPods() ?? [],
    metrics: async () => (kubelet ? { contentType: kubelet.metrics.contentType, text: await kubelet.metrics.text() } : { contentType: 'text/plain', text: '' }),
  });
  kubelet = new Kubelet({
    client, cri, nodeName, log, kubeletPort: server.port,
    nodeIPs,
    podCIDR: f.podCidr,
    taints: parseTaints(f.registerWithTaints ?? ''),
    rootDir: f.rootDir,
    podLogsDir: f.podLogsDir,
    maxParallelSandboxCreations: f.maxParallelSandboxCreations || undefined,
    cgroups: f.cgroupsPerQos === false ? undefined : { root: f.cgroupRoot || defaultCgroupRoot(nodeName) },
    dns: { clusterDns: (f.clusterDns ?? '').split(',').filter(Boolean), clusterDomain: f.clusterDomain || 'cluster.local', resolvConf: f.resolvConf || '/etc/resolv.conf' },
    ...extra,
  });
  await kubelet.start();
  log.info({ node: nodeName, runtime: f.containerRuntimeEndpoint }, 'kubelet started');
  return {
    kubelet, server,
    async stop() {
      await kubelet!.stop();
      await server.close();
      cri.close();
      client.close();
    },
  };
}
