// The generated node runtime configuration, as the real containerd 1.6 parses it (`config dump`).
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRuntimeConfig, cniConflist, cniConfFile } from '@k8ts/kubelet/runtime-config/index.ts';
import { run } from '../src/images/run.ts';

describe('node runtime configuration', () => {
  const base = mkdtempSync(join(tmpdir(), 'k8ts-ctrd-conf-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('is accepted by containerd with its own root, state, socket and the CRI settings this machine needs', async () => {
    const dir = join(base, 'node-a');
    const p = writeRuntimeConfig(dir, {
      mirrors: { hosts: ['docker.io', 'registry.k8s.io'], url: 'http://10.250.0.1:5000' },
      cni: { name: 'k8ts-node-a', podCidr: '10.244.1.0/24' },
    });
    const { stdout } = await run('containerd', ['--config', p.config, 'config', 'dump']);
    const line = (re: RegExp) => expect(stdout).toMatch(re);
    line(new RegExp(`^root = "${p.root}"$`, 'm'));
    line(new RegExp(`^state = "${p.state}"$`, 'm'));
    line(new RegExp(`^\\s+address = "${p.socket}"$`, 'm'));
    line(/^\s+restrict_oom_score_adj = true$/m);
    line(/^\s+sandbox_image = "registry\.k8s\.io\/pause:3\.10"$/m);
    line(/^\s+netns_mounts_under_state_dir = true$/m);
    line(/^\s+stream_server_port = "0"$/m);
    line(/^\s+bin_dir = "\/usr\/lib\/cni"$/m);
    line(new RegExp(`^\\s+conf_dir = "${p.cniConfDir}"$`, 'm'));
    line(new RegExp(`^\\s+config_path = "${p.registryConfigDir}"$`, 'm'));
    line(new RegExp(`^\\s+Root = "${p.runcRoot}"$`, 'm'));
    line(/^\s+runtime_type = "io\.containerd\.runc\.v2"$/m);

    expect(readdirSync(p.registryConfigDir).sort()).toEqual(['docker.io', 'registry.k8s.io']);
    const hosts = readFileSync(join(p.registryConfigDir, 'docker.io', 'hosts.toml'), 'utf8');
    expect(hosts).toContain('server = "https://registry-1.docker.io"');
    expect(hosts).toContain('[host."http://10.250.0.1:5000"]');
    expect(hosts).toContain('capabilities = ["pull", "resolve"]');

    const conf = JSON.parse(readFileSync(join(p.cniConfDir, cniConfFile), 'utf8'));
    expect(conf.name).toBe('k8ts-node-a');
    expect(conf.plugins.map((x: { type: string }) => x.type)).toEqual(['bridge', 'portmap']);
    expect(conf.plugins[0].ipam).toEqual({
      type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: p.cniDataDir,
    });
  });

  it('gives two nodes on one machine disjoint paths', () => {
    const a = writeRuntimeConfig(join(base, 'a'));
    const b = writeRuntimeConfig(join(base, 'b'));
    for (const k of ['root', 'state', 'socket', 'ttrpcSocket', 'runcRoot', 'cniConfDir', 'cniDataDir'] as const) {
      expect(a[k]).not.toBe(b[k]);
    }
  });

  it('rejects bridge names Linux cannot hold', () => {
    expect(() => cniConflist({ name: 'n', podCidr: '10.244.0.0/24', dataDir: '/x', bridge: 'a-very-long-bridge' })).toThrow(/15 characters/);
  });
});
