// Operations on a running cluster's nodes: side-load an image, stop and start a node's kubelet.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './images/run.ts';
import { launch } from './node-runtime.ts';
import { alive, ours, readState, writeState, type ClusterState } from './state.ts';

/** `ctr -n k8s.io images import` into every node's containerd (as `kind load image-archive`). */
export async function loadImage(s: ClusterState, tar: string): Promise<string[]> {
  const file = resolve(tar);
  if (!existsSync(file)) throw new Error(`no such file: ${tar}`);
  const out: string[] = [];
  for (const n of s.nodes ?? []) {
    const r = await run('ctr', ['-a', n.criSocket, '-n', 'k8s.io', 'images', 'import', file], { timeoutMs: 300_000 });
    out.push(`${n.name}: ${r.stdout.trim().split('\n').filter(Boolean).join('; ') || 'imported'}`);
  }
  return out;
}

function kubeletKey(s: ClusterState, node: string): string {
  if (!s.nodes?.some((n) => n.name === node)) throw new Error(`no node "${node}" in cluster "${s.name}" (nodes: ${s.nodes?.map((n) => n.name).join(', ')})`);
  const key = `kubelet/${node}`;
  if (!s.commands?.[key]) throw new Error(`node "${node}" has no kubelet (kubelet/src/main.ts was missing when the cluster came up)`);
  return key;
}

export async function stopNode(name: string, node: string): Promise<number | undefined> {
  const s = readState(name);
  if (!s) throw new Error(`no cluster "${name}"`);
  const key = kubeletKey(s, node);
  const pid = s.pids[key];
  s.stopped = [...new Set([...(s.stopped ?? []), key])];
  writeState(s);
  if (pid && alive(pid) && ours(pid, s.dir)) {
    try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
    const end = Date.now() + 10_000;
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  }
  return pid;
}

export async function startNode(name: string, node: string): Promise<number> {
  const s = readState(name);
  if (!s) throw new Error(`no cluster "${name}"`);
  const key = kubeletKey(s, node);
  const old = s.pids[key];
  if (old && alive(old) && ours(old, s.dir)) return old;
  const pid = launch(s.commands![key]!);
  s.pids[key] = pid;
  s.stopped = (s.stopped ?? []).filter((k) => k !== key);
  writeState(s);
  return pid;
}
