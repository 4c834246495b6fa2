// What `k8ts up` started and where, recorded so that `down` ends exactly that (by pid) and removes it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkPlan, NodePlan } from './net/plan.ts';
import type { ProcessCommand } from './node-runtime.ts';

export interface NodeState extends NodePlan {
  /** This node's directory (containerd, kubelet root). */
  dir: string;
  /** containerd's CRI socket. */
  criSocket: string;
  kubeconfig?: string;
  /** The kubelet's serving certificate and the CA its clients must present certificates from. */
  tls?: { certFile: string; keyFile: string; clientCAFile: string };
}

export interface ClusterState {
  name: string;
  dir: string;
  apiserverURL?: string;
  kubeconfig?: string;
  etcdEndpoint?: string;
  registryURL?: string;
  /** nats://: the cluster's log and event stream. */
  natsURL?: string;
  network?: NetworkPlan;
  nodes?: NodeState[];
  /** component name → pid (`etcd`, `apiserver`, `registry`, `scheduler`, `containerd/<node>`, `kubelet/<node>`, ...) */
  pids: Record<string, number>;
  /** component name → how it was started (to start it again). */
  commands?: Record<string, ProcessCommand>;
  /** Components stopped on purpose (`stop-node`): not a sign of a crash. */
  stopped?: string[];
  /** Seconds `up` took. */
  upSeconds?: number;
}

export function clusterHome(): string {
  return process.env.K8TS_HOME ?? '/var/lib/k8ts';
}

export function clusterDir(name: string): string {
  return join(clusterHome(), name);
}

export function readState(name: string): ClusterState | undefined {
  const f = join(clusterDir(name), 'state.json');
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as ClusterState;
}

export function writeState(s: ClusterState): void {
  mkdirSync(s.dir, { recursive: true });
  const f = join(s.dir, 'state.json');
  writeFileSync(`${f}.tmp`, JSON.stringify(s, null, 2) + '\n');
  renameSync(`${f}.tmp`, f);
}

/** The pid still runs a process of this cluster (its command line names the cluster's directory), not a reused pid. */
export function ours(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(dir));
  } catch {
    return false;
  }
}

/** The process exists and is not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0) !== 'Z';
  } catch {
    return false;
  }
}
