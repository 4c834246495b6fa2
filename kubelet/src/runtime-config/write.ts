// Writes a node's runtime configuration files: containerd config.toml, registry hosts and CNI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerdConfig, containerdPaths, registryHostsToml, type ContainerdConfigOptions, type ContainerdPaths } from './containerd.ts';
import { cniConfFile, cniConflist, type CniOptions } from './cni.ts';

export interface RuntimeConfigOptions extends ContainerdConfigOptions {
  /** Registry hosts to mirror (e.g. docker.io, registry.k8s.io) onto mirrorUrl. */
  mirrors?: { hosts: string[]; url: string };
  /** The node's pod network; no CNI config is written without it (the runtime then reports NetworkReady=false). */
  cni?: Omit<CniOptions, 'dataDir'> & { dataDir?: string };
}

export function writeRuntimeConfig(dir: string, o: RuntimeConfigOptions = {}): ContainerdPaths {
  const p = containerdPaths(dir);
  for (const d of [p.root, p.state, p.registryConfigDir, p.cniConfDir, p.cniDataDir]) mkdirSync(d, { recursive: true });
  writeFileSync(p.config, containerdConfig(p, o));
  for (const host of o.mirrors?.hosts ?? []) {
    mkdirSync(join(p.registryConfigDir, host), { recursive: true });
    writeFileSync(join(p.registryConfigDir, host, 'hosts.toml'), registryHostsToml(host, o.mirrors!.url));
  }
  if (o.cni) {
    const conf = cniConflist({ ...o.cni, dataDir: o.cni.dataDir ?? p.cniDataDir });
    writeFileSync(join(p.cniConfDir, cniConfFile), `${JSON.stringify(conf, null, 2)}\n`);
  }
  return p;
}
