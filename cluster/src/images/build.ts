// Builds the local images as an OCI layout with umoci, no network: a busybox image (the static
// busybox with all its applet links, default command `sh`) and a pause image. Layouts are cached by
// the busybox binary's hash and the recipe version, so repeated calls are instant.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './run.ts';
import { busyboxImage, localImages, pauseImage, pauseScript } from './catalog.ts';

/** Bump when the image recipe changes so caches rebuild. */
const recipeVersion = '1';
const pathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const defaultImageCacheDir = join(tmpdir(), 'k8ts-image-cache');

export interface ImageLayout {
  /** OCI image layout directory holding every local image, tagged by LocalImage.layoutTag. */
  layoutDir: string;
  /** True when it was taken from the cache. */
  cached: boolean;
}

export async function ensureImages(cacheDir: string = defaultImageCacheDir, busyboxPath = process.env.K8TS_BUSYBOX ?? '/bin/busybox'): Promise<ImageLayout> {
  const binary = readFileSync(busyboxPath);
  const key = createHash('sha256').update(recipeVersion).update(pauseScript).update(binary).digest('hex').slice(0, 16);
  const layoutDir = join(cacheDir, `oci-${key}`);
  if (isComplete(layoutDir)) return { layoutDir, cached: true };

  mkdirSync(cacheDir, { recursive: true });
  // Build beside the final place and rename: concurrent builders never see a half-built layout.
  const work = join(cacheDir, `.build-${randomBytes(6).toString('hex')}`);
  try {
    const layout = join(work, 'oci');
    await run('umoci', ['init', '--layout', layout]);
    await buildBusybox(layout, join(work, 'busybox-rootfs'), busyboxPath);
    await buildPause(layout, join(work, 'pause-rootfs'), busyboxPath);
    await run('umoci', ['gc', '--layout', layout]);
    writeFileSync(join(layout, 'k8ts-complete'), `${key}\n`);
    try { renameSync(layout, layoutDir); } catch (err) {
      if (!isComplete(layoutDir)) throw err; // someone else finished first: use theirs
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { layoutDir, cached: false };
}

function isComplete(layoutDir: string): boolean {
  if (!existsSync(join(layoutDir, 'k8ts-complete'))) return false;
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests?: { annotations?: Record<string, string> }[] };
  const tags = new Set((index.manifests ?? []).map((m) => m.annotations?.['org.opencontainers.image.ref.name']));
  return localImages.every((i) => tags.has(i.layoutTag));
}

function baseRootfs(rootfs: string, busyboxPath: string): void {
  for (const d of ['bin', 'etc', 'root', 'home', 'var', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(busyboxPath, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n');
}

function link(rootfs: string, path: string): void {
  const at = join(rootfs, path);
  if (existsSync(at)) return;
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync('/bin/busybox', at);
}

async function buildBusybox(layout: string, rootfs: string, busyboxPath: string): Promise<void> {
  baseRootfs(rootfs, busyboxPath);
  const { stdout } = await run(busyboxPath, ['--list-full']);
  for (const applet of stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (applet !== 'bin/busybox') link(rootfs, applet);
  }
  const image = `${layout}:${busyboxImage.layoutTag}`;
  await run('umoci', ['new', '--image', image]);
  await run('umoci', ['insert', '--image', image, rootfs, '/']);
  await run('umoci', ['config', '--image', image, '--config.cmd', 'sh', '--config.env', pathEnv, '--config.workingdir', '/',
    '--author', 'k8ts', '--history.created_by', 'k8ts busybox image from Debian busybox-static']);
}

async function buildPause(layout: string, rootfs: string, busyboxPath: string): Promise<void> {
  baseRootfs(rootfs, busyboxPath);
  link(rootfs, 'bin/sh');
  link(rootfs, 'bin/sleep');
  const image = `${layout}:${pauseImage.layoutTag}`;
  await run('umoci', ['new', '--image', image]);
  await run('umoci', ['insert', '--image', image, rootfs, '/']);
  await run('umoci', ['config', '--image', image,
    '--config.entrypoint', '/bin/sh', '--config.entrypoint', '-c', '--config.entrypoint', pauseScript,
    '--config.env', pathEnv, '--config.workingdir', '/', '--config.stopsignal', 'SIGTERM',
    '--author', 'k8ts', '--history.created_by', 'k8ts pause image (busybox sh)']);
}
