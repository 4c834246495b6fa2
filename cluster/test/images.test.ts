import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImages, startRegistry, pushImages, busyboxImage, pauseImage, pauseScript, type Registry } from '../src/images/index.ts';
import { run } from '../src/images/run.ts';

interface Descriptor { digest: string; annotations?: Record<string, string> }
const blob = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));
function manifestOf(layout: string, tag: string): { config: Descriptor; layers: Descriptor[] } {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const m = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!m) throw new Error(`no ${tag} in ${layout}`);
  return JSON.parse(readFileSync(blob(layout, m.digest), 'utf8'));
}
const configOf = (layout: string, tag: string) =>
  JSON.parse(readFileSync(blob(layout, manifestOf(layout, tag).config.digest), 'utf8')) as
    { architecture: string; os: string; config: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[] } };

function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
  } catch {
    return 'gone';
  }
}

describe('local images', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-images-test-'));
  let registry: Registry | undefined;
  afterAll(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds busybox and pause OCI images offline and caches them', async () => {
    const cache = join(dir, 'cache');
    const first = await ensureImages(cache);
    expect(first.cached).toBe(false);
    const t0 = performance.now();
    const again = await ensureImages(cache);
    expect(again).toEqual({ layoutDir: first.layoutDir, cached: true });
    expect(performance.now() - t0).toBeLessThan(500);

    const bb = configOf(first.layoutDir, busyboxImage.layoutTag);
    expect([bb.os, bb.architecture]).toEqual(['linux', 'amd64']);
    expect(bb.config.Cmd).toEqual(['sh']);
    expect(bb.config.Env?.some((e) => e.startsWith('PATH=') && e.includes('/bin'))).toBe(true);
    const pause = configOf(first.layoutDir, pauseImage.layoutTag);
    expect(pause.config.Entrypoint).toEqual(['/bin/sh', '-c', pauseScript]);

    const layer = manifestOf(first.layoutDir, busyboxImage.layoutTag).layers[0]!;
    const { stdout } = await run('tar', ['-tvzf', blob(first.layoutDir, layer.digest)]);
    expect(stdout).toMatch(/^-rwxr-xr-x .* bin\/busybox$/m);
    expect(stdout).toMatch(/ bin\/sh -> \/bin\/busybox$/m);
    expect(stdout).toMatch(/ usr\/bin\/wget -> \/bin\/busybox$/m);
    expect(stdout).toMatch(/ etc\/passwd$/m);
  });

  it('the pause process sleeps until SIGTERM, then exits 0 promptly and leaves no sleeper behind', async () => {
    const child = spawn('/bin/busybox', ['sh', '-c', pauseScript], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    const sleeper = Number((await run('ps', ['-o', 'pid=', '--ppid', String(child.pid)])).stdout.trim());
    expect(sleeper).toBeGreaterThan(0);
    const t0 = performance.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 50));
    // Gone, or a zombie waiting for this machine's init to reap it: either way no longer sleeping.
    expect(processState(sleeper)).toMatch(/^(gone|Z)$/);
  });

  it('serves them from a local registry on 127.0.0.1', async () => {
    const { layoutDir } = await ensureImages(join(dir, 'cache'));
    registry = await startRegistry({ dir: join(dir, 'registry') });
    expect(registry.addr).toMatch(/^127\.0\.0\.1:\d+$/);
    const pushed = await pushImages({ layoutDir, registry: registry.addr });
    expect(pushed).toEqual([`${registry.addr}/library/busybox:latest`, `${registry.addr}/pause:3.10`]);

    const catalog = await (await fetch(`${registry.url}/v2/_catalog`)).json();
    expect(catalog).toEqual({ repositories: ['library/busybox', 'pause'] });
    const res = await fetch(`${registry.url}/v2/pause/manifests/3.10`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(res.status).toBe(200);
    const served = (await res.json()) as { config: Descriptor };
    expect(served.config.digest).toBe(manifestOf(layoutDir, pauseImage.layoutTag).config.digest);

    await registry.stop();
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
    registry = undefined;
  });
});
