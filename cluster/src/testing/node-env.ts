// Test/bench fixture (kubelet and cluster tests, the kubelet benchmark): one node's containerd in a fresh network namespace, reaching a local registry
// (busybox, pause) over a veth pair; stop() removes everything it made.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerd, mountsUnder, type Containerd } from '../containerd.ts';
import { ensureImages, pushImages, startRegistry, mirroredRegistries, type Registry } from '../images/index.ts';
import { run } from '../images/run.ts';
import { freePort } from '../ports.ts';
import { connectCri, type CriClient } from '@k8ts/kubelet/cri/client.ts';

const ip = (...args: string[]) => run('ip', args);

export interface NodeEnv {
  tag: string;
  dir: string;
  nodeAddr: string;
  podCidr: string;
  /** Third octet of the pod CIDR (10.251.<octet>.0/24). */
  octet: number;
  containerd: Containerd;
  cri: CriClient;
  /** Stops containerd and the registry, removes the namespace, veth and directory; returns mounts left behind. */
  stop(): Promise<string[]>;
}

export async function startNodeEnv(prefix = 'k8ts-kl'): Promise<NodeEnv> {
  const tag = randomBytes(3).toString('hex');
  const used = execFileSync('ip', ['-o', '-4', 'addr']).toString();
  let octet = 16 + (parseInt(tag.slice(0, 2), 16) % 200);
  while (used.includes(`10.250.${octet}.`)) octet = 16 + ((octet - 15) % 200);
  const netns = `${prefix}-${tag}`;
  const hostVeth = `k8tskh${tag}`;
  const nodeVeth = `k8tskn${tag}`;
  const hostAddr = `10.250.${octet}.1`;
  const nodeAddr = `10.250.${octet}.2`;
  const podCidr = `10.251.${octet}.0/24`;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-ctrd-'));
  let registry: Registry | undefined;
  let containerd: Containerd | undefined;
  let cri: CriClient | undefined;
  let netnsCreated = false;
  const stop = async (): Promise<string[]> => {
    cri?.close();
    await containerd?.stop({ keepDir: true });
    await registry?.stop();
    if (netnsCreated) await ip('netns', 'del', netns).catch(() => undefined);
    await ip('link', 'del', hostVeth).catch(() => undefined);
    const left = mountsUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    return left;
  };
  try {
    const { layoutDir } = await ensureImages();
    await ip('netns', 'add', netns);
    netnsCreated = true;
    await ip('-n', netns, 'link', 'set', 'lo', 'up');
    await ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nodeVeth, 'netns', netns);
    await ip('addr', 'add', `${hostAddr}/30`, 'dev', hostVeth);
    await ip('link', 'set', hostVeth, 'up');
    await ip('-n', netns, 'addr', 'add', `${nodeAddr}/30`, 'dev', nodeVeth);
    await ip('-n', netns, 'link', 'set', nodeVeth, 'up');
    registry = await startRegistry({ dir: join(dir, 'registry'), addr: `${hostAddr}:${await freePort()}` });
    await pushImages({ layoutDir, registry: registry.addr });
    containerd = await startContainerd({
      dir: join(dir, 'node'), netns,
      mirrors: { hosts: mirroredRegistries, url: registry.url },
      cni: { name: `${prefix}-${tag}`, podCidr },
      streamServerAddress: nodeAddr,
    });
    cri = await connectCri(containerd.socket, { timeoutMs: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { tag, dir, nodeAddr, podCidr, octet, containerd, cri, stop };
}
