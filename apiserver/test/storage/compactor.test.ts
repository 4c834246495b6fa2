import { describe, expect, it } from 'vitest';
import { startCompactor } from '../../src/storage/compactor.ts';
import { MemoryStorage } from '../../src/storage/memory.ts';
import { pod, until } from './helpers.ts';

describe('startCompactor', () => {
  it('compacts to the revision seen one tick earlier, keeping the last interval of history', async () => {
    const s = new MemoryStorage();
    const compacted: number[] = [];
    const seen: number[] = [];
    const compact = s.compact.bind(s);
    const current = s.currentRevision.bind(s);
    s.compact = async (r) => { compacted.push(r); await compact(r); };
    s.currentRevision = async () => { const r = await current(); seen.push(r); return r; };

    const first = await s.create('/registry/pods/default/a', pod('a'));
    const c = startCompactor(s, 30);
    try {
      await until(() => seen.length >= 1);
      const afterTick1 = await s.create('/registry/pods/default/b', pod('b'));
      await until(() => compacted.length >= 1);
      // The first compaction goes to what the first tick saw, not to the present.
      expect(compacted[0]).toBe(seen[0]);
      expect(compacted[0]).toBeLessThan(Number(afterTick1.metadata.resourceVersion));
      await expect(s.list('/registry/pods/', { revision: Number(first.metadata.resourceVersion) - 1 }))
        .rejects.toMatchObject({ code: 'Compacted' });
      const kept = await s.list('/registry/pods/', { revision: compacted[0] });
      expect(kept.items.map((o) => o.metadata.name)).toEqual(['a']);
      // With no new writes nothing more is compacted than what was seen.
      await new Promise((r) => setTimeout(r, 100));
      expect(Math.max(...compacted)).toBeLessThanOrEqual(Number(afterTick1.metadata.resourceVersion));
    } finally {
      c.stop();
    }
    const n = compacted.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(compacted.length).toBe(n);
  });

  it('keeps going after a failing tick', async () => {
    const s = new MemoryStorage();
    let fail = true;
    const errors: unknown[] = [];
    const current = s.currentRevision.bind(s);
    s.currentRevision = async () => {
      if (fail) { fail = false; throw new Error('etcd down'); }
      return current();
    };
    await s.create('/registry/pods/default/a', pod('a'));
    const compacted: number[] = [];
    const compact = s.compact.bind(s);
    s.compact = async (r) => { compacted.push(r); await compact(r); };
    const c = startCompactor(s, 20, (e) => errors.push(e));
    try {
      await s.create('/registry/pods/default/b', pod('b'));
      await until(() => compacted.length >= 1, 2000);
      expect(errors).toHaveLength(1);
    } finally {
      c.stop();
    }
  });
});
