// A local image registry: Debian's docker-registry (distribution 2.8) as a managed process.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../ports.ts';
import { startProcess, type Managed } from '../process.ts';

export interface RegistryOptions {
  /** Directory for its config, storage and log. */
  dir: string;
  /** host:port to listen on; default 127.0.0.1 and a free port. */
  addr?: string;
}

export interface Registry {
  /** host:port */
  addr: string;
  /** http://host:port */
  url: string;
  dir: string;
  process: Managed;
  stop(): Promise<void>;
}

export function registryConfig(dir: string, addr: string): Record<string, unknown> {
  return {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr, secret: randomBytes(16).toString('hex') },
  };
}

export async function startRegistry(o: RegistryOptions): Promise<Registry> {
  mkdirSync(join(o.dir, 'data'), { recursive: true });
  const addr = o.addr ?? `127.0.0.1:${await freePort()}`;
  const configFile = join(o.dir, 'config.yml');
  writeFileSync(configFile, stringify(registryConfig(o.dir, addr)));
  const proc = startProcess(process.env.K8TS_REGISTRY ?? 'docker-registry', {
    args: ['serve', configFile],
    logFile: join(o.dir, 'registry.log'),
  });
  const url = `http://${addr}`;
  const registry: Registry = { addr, url, dir: o.dir, process: proc, stop: () => proc.stop() };
  await waitReady(url, proc, join(o.dir, 'registry.log'));
  return registry;
}

async function waitReady(url: string, proc: Managed, logFile: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`docker-registry exited while starting at ${url}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.stop();
  throw new Error(`docker-registry did not answer at ${url}/v2/ within ${timeoutMs} ms; see ${logFile}`);
}
