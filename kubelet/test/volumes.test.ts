import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { cleanupPodDir, containerMounts, setUpVolumes, volumeHostPath } from '../src/kuberuntime/volumes.ts';
import { CreateContainerConfigError } from '../src/kuberuntime/env.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-vol-'));
afterAll(() => { cleanupPodDir(root, 'uid-vol'); rmSync(root, { recursive: true, force: true }); });
const mounted = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);

const src = {
  configMap: async (_ns: string, name: string) => (name === 'cm' ? { data: { 'app.conf': 'x=1', other: 'y' } } : undefined),
  secret: async (_ns: string, name: string) => (name === 's' ? { data: { token: Buffer.from('t0p').toString('base64') } } : undefined),
};

describe('pod volumes', () => {
  it('writes configMap (items), secret, downwardAPI and memory emptyDir volumes, mounts them and cleans up', async () => {
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'ns', uid: 'uid-vol', labels: { app: 'web' } },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
          { name: 'sec', secret: { secretName: 's', defaultMode: 0o400 } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        ],
        containers: [{ name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }, { name: 'mem', mountPath: '/cache' }, { name: 'sec', mountPath: '/s', subPath: 'sub' }] }],
      },
    };
    await setUpVolumes(root, pod, src, { podIPs: [], hostIPs: [] });
    const path = (i: number) => volumeHostPath(root, pod, pod.spec!.volumes![i]!)!;
    expect(readFileSync(join(path(0), 'conf/app.conf'), 'utf8')).toBe('x=1');
    expect(existsSync(join(path(0), 'other'))).toBe(false);
    expect(readFileSync(join(path(1), 'token'), 'utf8')).toBe('t0p');
    expect(statSync(join(path(1), 'token')).mode & 0o777).toBe(0o400);
    expect(readFileSync(join(path(2), 'labels'), 'utf8')).toBe('app="web"');
    expect(mounted(path(3))).toBe(true);
    expect(containerMounts(root, pod, pod.spec!.containers[0]!).map((m) => [m.containerPath, m.hostPath.slice(root.length), m.readonly])).toEqual([
      ['/etc/app', '/pods/uid-vol/volumes/kubernetes.io~configmap/cfg', true],
      ['/cache', '/pods/uid-vol/volumes/kubernetes.io~empty-dir/mem', false],
      ['/s', '/pods/uid-vol/volumes/kubernetes.io~secret/sec/sub', true],
    ]);
    cleanupPodDir(root, 'uid-vol');
    expect(mounted(path(3))).toBe(false);
    expect(existsSync(join(root, 'pods', 'uid-vol'))).toBe(false);
  });

  it('fails with CreateContainerConfigError for a missing ConfigMap unless optional', async () => {
    const pod = (optional: boolean): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'uid-x' }, spec: { containers: [], volumes: [{ name: 'v', configMap: { name: 'nope', optional } }] } });
    await expect(setUpVolumes(root, pod(false), src, { podIPs: [], hostIPs: [] })).rejects.toThrow(CreateContainerConfigError);
    await expect(setUpVolumes(root, pod(true), src, { podIPs: [], hostIPs: [] })).resolves.toBeUndefined();
    cleanupPodDir(root, 'uid-x');
  });
});
