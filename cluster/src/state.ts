// What `k8ts up` started and where, recorded so that `down` ends exactly that (by pid) and removes it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterState {
  name: string;
  dir: string;
  apiserverURL?: string;
  kubeconfig?: string;
  etcdEndpoint?: string;
  /** component name → pid */
  pids: Record<string, number>;
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
  writeFileSync(join(s.dir, 'state.json'), JSON.stringify(s, null, 2) + '\n');
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
