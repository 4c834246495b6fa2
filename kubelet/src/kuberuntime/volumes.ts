// Pod volumes (upstream volume plugins, simplified to host directories): emptyDir, hostPath,
// configMap, secret, downwardAPI and projected are made as directories under the pod's directory
// (<root>/pods/<uid>/volumes/<plugin>/<name>) and bind-mounted into containers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { value as quantityValue } from '@k8ts/api/quantity.ts';
import { dirname, join, normalize } from 'node:path';
import type { Container, KeyToPath, Pod, Volume } from 'kubernetes-types/core/v1';
import type { Mount } from '../cri/types.ts';
import { CreateContainerConfigError, podFieldValue, resourceFieldValue, type ConfigSource, type PodNetworkInfo } from './env.ts';

export const podDir = (rootDir: string, uid: string) => join(rootDir, 'pods', uid);

const pluginDir: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir', configMap: 'kubernetes.io~configmap', secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api', projected: 'kubernetes.io~projected',
};

/** Host path of a volume (hostPath volumes: their own path). */
export function volumeHostPath(rootDir: string, pod: Pod, v: Volume): string | undefined {
  if (v.hostPath) return v.hostPath.path;
  const kind = Object.keys(pluginDir).find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined);
  return kind ? join(podDir(rootDir, pod.metadata?.uid ?? ''), 'volumes', pluginDir[kind]!, v.name) : undefined;
}

/** Writes files of key → content under dir, replacing what was there (atomic enough for small volumes). */
function writeFiles(dir: string, files: Record<string, { data: Buffer; mode?: number }>): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) if (!(entry in files) && !Object.keys(files).some((f) => f.startsWith(`${entry}/`))) rmSync(join(dir, entry), { recursive: true, force: true });
  for (const [rel, f] of Object.entries(files)) {
    const p = normalize(join(dir, rel));
    if (!p.startsWith(dir)) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data, { mode: f.mode ?? 0o644 });
  }
}

function keyFiles(data: Record<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number | undefined, what: string, optional: boolean): Record<string, { data: Buffer; mode?: number }> {
  const out: Record<string, { data: Buffer; mode?: number }> = {};
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) out[k] = { data: v, mode: defaultMode };
    return out;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new CreateContainerConfigError(`configuration key "${it.key}" not found in ${what}`);
    }
    out[it.path] = { data: v, mode: it.mode ?? defaultMode };
  }
  return out;
}

const textData = (d: Record<string, string> | undefined) => Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
const b64Data = (d: Record<string, string> | undefined) => Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

async function configMapFiles(src: ConfigSource, ns: string, name: string, items: KeyToPath[] | undefined, mode: number | undefined, optional: boolean) {
  const cm = await src.configMap(ns, name);
  if (!cm) { if (optional) return {}; throw new CreateContainerConfigError(`configmap "${name}" not found`); }
  return keyFiles({ ...textData(cm.data), ...b64Data(cm.binaryData) }, items, mode, `ConfigMap ${ns}/${name}`, optional);
}
async function secretFiles(src: ConfigSource, ns: string, name: string, items: KeyToPath[] | undefined, mode: number | undefined, optional: boolean) {
  const s = await src.secret(ns, name);
  if (!s) { if (optional) return {}; throw new CreateContainerConfigError(`secret "${name}" not found`); }
  return keyFiles(b64Data(s.data), items, mode, `Secret ${ns}/${name}`, optional);
}

/** Creates or refreshes every volume of the pod on the host. */
export async function setUpVolumes(rootDir: string, pod: Pod, src: ConfigSource, net: PodNetworkInfo): Promise<void> {
  const ns = pod.metadata?.namespace ?? 'default';
  for (const v of pod.spec?.volumes ?? []) {
    const dir = volumeHostPath(rootDir, pod, v);
    if (!dir) continue;
    if (v.hostPath) {
      const t = v.hostPath.type ?? '';
      if (t === 'DirectoryOrCreate') mkdirSync(dir, { recursive: true });
      else if (t === 'FileOrCreate' && !existsSync(dir)) { mkdirSync(dirname(dir), { recursive: true }); writeFileSync(dir, ''); }
      else if (t === 'Directory' && !(existsSync(dir) && statSync(dir).isDirectory())) throw new CreateContainerConfigError(`hostPath type check failed: ${dir} is not a directory`);
      else if (t === 'File' && !(existsSync(dir) && statSync(dir).isFile())) throw new CreateContainerConfigError(`hostPath type check failed: ${dir} is not a file`);
      continue;
    }
    if (v.emptyDir) {
      mkdirSync(dir, { recursive: true, mode: 0o777 });
      if (v.emptyDir.medium === 'Memory' && !isMountPoint(dir)) {
        const size = v.emptyDir.sizeLimit ? `,size=${quantityValue(v.emptyDir.sizeLimit as string)}` : '';
        execFileSync('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]);
      }
      continue;
    }
    if (v.configMap) { writeFiles(dir, await configMapFiles(src, ns, v.configMap.name ?? '', v.configMap.items, v.configMap.defaultMode, v.configMap.optional ?? false)); continue; }
    if (v.secret) { writeFiles(dir, await secretFiles(src, ns, v.secret.secretName ?? '', v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional ?? false)); continue; }
    if (v.downwardAPI) {
      const files: Record<string, { data: Buffer; mode?: number }> = {};
      for (const it of v.downwardAPI.items ?? []) files[it.path] = { data: Buffer.from(downwardValue(pod, it, net)), mode: it.mode ?? v.downwardAPI.defaultMode };
      writeFiles(dir, files);
      continue;
    }
    if (v.projected) {
      let files: Record<string, { data: Buffer; mode?: number }> = {};
      const mode = v.projected.defaultMode;
      for (const s of v.projected.sources ?? []) {
        if (s.configMap) files = { ...files, ...await configMapFiles(src, ns, s.configMap.name ?? '', s.configMap.items, mode, s.configMap.optional ?? false) };
        if (s.secret) files = { ...files, ...await secretFiles(src, ns, s.secret.name ?? '', s.secret.items, mode, s.secret.optional ?? false) };
        for (const it of s.downwardAPI?.items ?? []) files[it.path] = { data: Buffer.from(downwardValue(pod, it, net)), mode: it.mode ?? mode };
      }
      writeFiles(dir, files);
    }
  }
}

function downwardValue(pod: Pod, it: { fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string; divisor?: unknown } }, net: PodNetworkInfo): string {
  if (it.fieldRef) return podFieldValue(pod, it.fieldRef.fieldPath, net);
  if (it.resourceFieldRef) {
    const c = pod.spec?.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec?.containers[0];
    return c ? resourceFieldValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor as string | undefined) : '';
  }
  return '';
}

/** The CRI mounts of a container's volumeMounts. */
export function containerMounts(rootDir: string, pod: Pod, c: Container): Mount[] {
  const byName = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Mount[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const v = byName.get(vm.name);
    const base = v && volumeHostPath(rootDir, pod, v);
    if (!base) throw new CreateContainerConfigError(`cannot find volume "${vm.name}" to mount into container "${c.name}"`);
    let hostPath = base;
    if (vm.subPath) {
      hostPath = normalize(join(base, vm.subPath));
      if (!hostPath.startsWith(base)) throw new CreateContainerConfigError(`subPath "${vm.subPath}" escapes the volume`);
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    }
    mounts.push({
      containerPath: vm.mountPath, hostPath, readonly: vm.readOnly ?? (v!.configMap || v!.secret || v!.downwardAPI || v!.projected ? true : false),
      propagation: vm.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : vm.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : 'PROPAGATION_PRIVATE',
    });
  }
  return mounts;
}

/** Removes the pod's directory (volumes included; hostPath volumes are not under it). */
export function cleanupPodDir(rootDir: string, uid: string): void {
  const dir = podDir(rootDir, uid);
  // Memory-backed emptyDirs are tmpfs mounts: unmount before removing.
  for (const m of mountPointsUnder(dir)) { try { execFileSync('umount', ['-l', m]); } catch { /* gone */ } }
  rmSync(dir, { recursive: true, force: true });
}

function mountPointsUnder(dir: string): string[] {
  let info = '';
  try { info = readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  return info.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

function isMountPoint(dir: string): boolean { return mountPointsUnder(dir).includes(dir); }
