// The cluster's image registry as a daemon on the bridge address (reachable from every node), its
// storage kept across clusters under $K8TS_HOME/images/<layout>/ so images are pushed only once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { ensureImages, pushImages, registryConfig } from './images/index.ts';
import { freePort } from './ports.ts';
import { launch, type ProcessCommand } from './node-runtime.ts';
import { clusterHome } from './state.ts';

export interface RegistryDaemon { pid: number; addr: string; url: string; command: ProcessCommand; pushed: boolean }

export async function startRegistryDaemon(o: { dir: string; host: string; logFile: string }): Promise<RegistryDaemon> {
  const { layoutDir } = await ensureImages();
  const storage = join(clusterHome(), 'images', basename(layoutDir));
  mkdirSync(o.dir, { recursive: true });
  const addr = `${o.host}:${await freePort(o.host)}`;
  const config = registryConfig(storage, addr);
  const configFile = join(o.dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  const command: ProcessCommand = { cmd: process.env.K8TS_REGISTRY ?? 'docker-registry', args: ['serve', configFile], logFile: o.logFile };
  const pid = launch(command);
  const url = `http://${addr}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try { if ((await fetch(`${url}/v2/`)).ok) break; } catch { /* not yet */ }
    try { process.kill(pid, 0); } catch { throw new Error(`docker-registry exited while starting; see ${o.logFile}`); }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer at ${url}; see ${o.logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  mkdirSync(storage, { recursive: true });
  const marker = join(storage, 'k8ts-pushed');
  let pushed = false;
  if (!existsSync(marker)) {
    await pushImages({ layoutDir, registry: addr });
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    pushed = true;
  }
  return { pid, addr, url, command, pushed };
}
