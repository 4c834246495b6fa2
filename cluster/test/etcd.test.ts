import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { startEtcd } from '../src/etcd.ts';

describe('startEtcd', () => {
  it('starts a real etcd on a free port and removes its data directory on stop', async () => {
    const etcd = await startEtcd();
    const res = await fetch(`${etcd.endpoint}/version`);
    expect(((await res.json()) as { etcdserver: string }).etcdserver).toMatch(/^3\./);
    await etcd.stop();
    expect(existsSync(etcd.dataDir)).toBe(false);
    await expect(fetch(`${etcd.endpoint}/version`)).rejects.toThrow();
  });
});
