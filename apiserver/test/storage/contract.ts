// The Storage contract, run against every implementation (memory.test.ts, etcd.test.ts).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@k8ts/api';
import { StorageError, type Storage } from '../../src/storage/interface.ts';
import { collect, freshPrefix, pod } from './helpers.ts';

async function storageError(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error('expected a StorageError, got success');
}

const spec = (o: KubeObject) => o.spec as Record<string, unknown>;

export function storageContract(getStorage: () => Storage): void {
  describe('create and get', () => {
    it('stores a copy, sets resourceVersion to the write revision, rejects a taken key', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const before = await s.currentRevision();
      const input = pod('a');
      input.metadata = { ...input.metadata, resourceVersion: '12345' };
      const created = await s.create(key, input);
      const rv = Number(created.metadata.resourceVersion);
      expect(rv).toBeGreaterThan(before);
      expect(await s.currentRevision()).toBe(rv);
      // The caller hands its object over (the result may be that object); storage keeps its own copy.
      input.spec = { nodeName: 'changed' };
      created.spec = { nodeName: 'changed-too' };
      const got = await s.get(key);
      expect(got).toEqual({ ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: String(rv) } });
      expect(await s.get(key + 'x')).toBeUndefined();
      const err = await storageError(s.create(key, pod('a')));
      expect(err.code).toBe('KeyExists');
      expect(err.key).toBe(key);
    });
  });

  describe('list', () => {
    it('lists only the prefix, in key order, with paging and remaining counts at a fixed revision', async () => {
      const s = getStorage();
      const p = freshPrefix();
      for (const n of ['c', 'a', 'e', 'b', 'd']) await s.create(p + n, pod(n));
      await s.create(p.slice(0, -1) + 'x/other', pod('other')); // same string prefix without the slash
      const all = await s.list(p);
      expect(all.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(all.continueAfter).toBeUndefined();
      expect(all.revision).toBe(await s.currentRevision());

      const page1 = await s.list(p, { limit: 2 });
      expect(page1.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
      expect(page1.continueAfter).toBe(p + 'b');
      expect(page1.remaining).toBe(3);
      // A write between pages is not seen when paging at the first page's revision.
      await s.create(p + 'bb', pod('bb'));
      await s.delete(p + 'd');
      const page2 = await s.list(p, { limit: 2, startAfter: page1.continueAfter, revision: page1.revision });
      expect(page2.revision).toBe(page1.revision);
      expect(page2.items.map((o) => o.metadata.name)).toEqual(['c', 'd']);
      expect(page2.remaining).toBe(1);
      const page3 = await s.list(p, { limit: 2, startAfter: page2.continueAfter, revision: page1.revision });
      expect(page3.items.map((o) => o.metadata.name)).toEqual(['e']);
      expect(page3.continueAfter).toBeUndefined();
      const latest = await s.list(p);
      expect(latest.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'bb', 'c', 'e']);
    });

    it('reads at an older revision with the resourceVersions of that time', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const v1 = await s.create(p + 'a', pod('a'));
      const r1 = Number(v1.metadata.resourceVersion);
      await s.update(p + 'a', (o) => ({ ...o, spec: { nodeName: 'n1' } }));
      await s.create(p + 'b', pod('b'));
      const old = await s.list(p, { revision: r1 });
      expect(old.revision).toBe(r1);
      expect(old.items).toHaveLength(1);
      expect(spec(old.items[0]).nodeName).toBe('');
      expect(old.items[0].metadata.resourceVersion).toBe(String(r1));
      const now = await s.list(p);
      expect(now.items.map((o) => spec(o).nodeName)).toEqual(['n1', '']);
    });
  });

  describe('update', () => {
    it('writes the result of tryUpdate, on a copy, with a new resourceVersion', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const created = await s.create(key, pod('a'));
      let seen: KubeObject | undefined;
      let seenVersion: string | undefined;
      const updated = await s.update(key, (cur) => {
        seen = cur;
        seenVersion = cur.metadata.resourceVersion;
        cur.spec = { nodeName: 'node-1' };
        return cur;
      });
      // tryUpdate got a copy of the current version (the result may be that copy, now at the new version).
      expect(seenVersion).toBe(created.metadata.resourceVersion);
      expect(seen).not.toBe(created);
      expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(spec(updated).nodeName).toBe('node-1');
      updated.spec = { nodeName: 'mutated' };
      const got = await s.get(key);
      expect(spec(got!).nodeName).toBe('node-1');
      expect(got!.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    });

    it('KeyNotFound for an absent key; Conflict on resourceVersion or uid preconditions', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      expect((await storageError(s.update(key, (o) => o))).code).toBe('KeyNotFound');
      const created = await s.create(key, pod('a'));
      const rv = created.metadata.resourceVersion!;
      const e1 = await storageError(s.update(key, (o) => ({ ...o, spec: { x: 1 } }), { resourceVersion: String(Number(rv) - 1) }));
      expect(e1.code).toBe('Conflict');
      const e2 = await storageError(s.update(key, (o) => ({ ...o, spec: { x: 1 } }), { uid: 'other' }));
      expect(e2.code).toBe('Conflict');
      const ok = await s.update(key, (o) => ({ ...o, spec: { x: 1 } }), { resourceVersion: rv, uid: 'uid-a' });
      expect(spec(ok).x).toBe(1);
      expect(spec((await s.get(key))!).x).toBe(1);
    });

    it('returns the current object without writing when nothing changes', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const created = await s.create(key, pod('a', { spec: { nodeName: 'n', containers: [{ name: 'c' }] } }));
      const rev = await s.currentRevision();
      // Same content, different key order and a different resourceVersion: still no write.
      const same = await s.update(key, (o) => ({
        spec: { containers: [{ name: 'c' }], nodeName: 'n' },
        metadata: { ...o.metadata, resourceVersion: '1' },
        kind: o.kind, apiVersion: o.apiVersion,
      }));
      expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(await s.currentRevision()).toBe(rev);
    });

    it('retries tryUpdate when another write lands in between (no resourceVersion precondition)', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      await s.create(key, pod('a', { spec: { count: 0 } }));
      let calls = 0;
      const result = await s.update(key, async (cur) => {
        calls++;
        if (calls === 1) await s.update(key, (o) => ({ ...o, spec: { count: (spec(o).count as number) + 10 } }));
        return { ...cur, spec: { count: (spec(cur).count as number) + 1 } };
      });
      expect(calls).toBe(2);
      expect(spec(result).count).toBe(11);
      expect(spec((await s.get(key))!).count).toBe(11);
    });

    it('exactly one of two racing updates with the same resourceVersion precondition wins', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const created = await s.create(key, pod('a'));
      const rv = created.metadata.resourceVersion!;
      // Both read the same version before either writes.
      let arrived = 0;
      let release!: () => void;
      const barrier = new Promise<void>((r) => { release = r; });
      const racer = (node: string) => s.update(key, async (cur) => {
        if (++arrived === 2) release();
        await barrier;
        return { ...cur, spec: { nodeName: node } };
      }, { resourceVersion: rv });
      const results = await Promise.allSettled([racer('n1'), racer('n2')]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(((lost[0] as PromiseRejectedResult).reason as StorageError).code).toBe('Conflict');
      const winner = (won[0] as PromiseFulfilledResult<KubeObject>).value;
      expect(await s.get(key)).toEqual(winner);
    });

    it('without preconditions, many concurrent increments all land', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      await s.create(key, pod('a', { spec: { count: 0 } }));
      await Promise.all(Array.from({ length: 8 }, () =>
        s.update(key, async (o) => {
          await new Promise((r) => setTimeout(r, 1));
          return { ...o, spec: { count: (spec(o).count as number) + 1 } };
        })));
      expect(spec((await s.get(key))!).count).toBe(8);
    });

    it('an error thrown by tryUpdate aborts without writing', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      await s.create(key, pod('a'));
      const rev = await s.currentRevision();
      await expect(s.update(key, () => { throw new Error('nope'); })).rejects.toThrow('nope');
      expect(await s.currentRevision()).toBe(rev);
    });
  });

  describe('update from a cached copy', () => {
    it('a stale copy never loses a write: the update lands on the current object', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const stale = await s.create(key, pod('a', { spec: { count: 0 } }));
      await s.update(key, (o) => ({ ...o, spec: { count: 10 } }));
      const seen: number[] = [];
      const result = await s.update(key, (o) => { seen.push(spec(o).count as number); return { ...o, spec: { count: (spec(o).count as number) + 1 } }; }, undefined, stale);
      expect(spec(result).count).toBe(11);
      expect(seen[seen.length - 1]).toBe(10);
      expect(spec((await s.get(key))!).count).toBe(11);
    });

    it('a current copy gives the same result as a read', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const created = await s.create(key, pod('a', { spec: { count: 1 } }));
      const result = await s.update(key, (o) => ({ ...o, spec: { count: 2 } }), undefined, created);
      expect(Number(result.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(await s.get(key)).toEqual(result);
    });

    it('a precondition, an error or a no-op on a stale copy is decided again on the stored object', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const stale = await s.create(key, pod('a', { spec: { count: 0 } }));
      const fresh = await s.update(key, (o) => ({ ...o, spec: { count: 5 } }));
      // The precondition names the current version: it holds, although the copy is older.
      const r1 = await s.update(key, (o) => ({ ...o, spec: { count: 6 } }), { resourceVersion: fresh.metadata.resourceVersion }, stale);
      expect(spec(r1).count).toBe(6);
      // tryUpdate refuses what it sees in the stale copy only.
      const r2 = await s.update(key, (o) => { if (spec(o).count === 0) throw new Error('stale'); return { ...o, spec: { count: 7 } }; }, undefined, stale);
      expect(spec(r2).count).toBe(7);
      // "Nothing changes" against the stale copy is a change against the stored object.
      const r3 = await s.update(key, (o) => ({ ...o, spec: { count: 0 } }), undefined, stale);
      expect(spec(r3).count).toBe(0);
      expect(spec((await s.get(key))!).count).toBe(0);
    });

    it('a deleted object is not found, whatever the copy says', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      const stale = await s.create(key, pod('a'));
      await s.delete(key);
      expect((await storageError(s.update(key, (o) => ({ ...o, spec: { x: 1 } }), undefined, stale))).code).toBe('KeyNotFound');
    });
  });

  describe('delete', () => {
    it('returns the deleted object at the deletion revision; KeyNotFound and Conflict as appropriate', async () => {
      const s = getStorage();
      const key = freshPrefix() + 'a';
      expect((await storageError(s.delete(key))).code).toBe('KeyNotFound');
      const created = await s.create(key, pod('a'));
      expect((await storageError(s.delete(key, { uid: 'wrong' }))).code).toBe('Conflict');
      expect((await storageError(s.delete(key, { resourceVersion: '1' }))).code).toBe('Conflict');
      expect(await s.get(key)).toBeDefined();
      const deleted = await s.delete(key, { uid: 'uid-a', resourceVersion: created.metadata.resourceVersion });
      expect(Number(deleted.metadata.resourceVersion)).toBe(await s.currentRevision());
      expect(Number(deleted.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      expect(deleted.metadata.name).toBe('a');
      expect(await s.get(key)).toBeUndefined();
      expect((await storageError(s.delete(key))).code).toBe('KeyNotFound');
      // The key can be created again.
      await s.create(key, pod('a'));
    });
  });

  describe('watch', () => {
    it('delivers ADDED, MODIFIED, DELETED in order with prevObject, only under the prefix', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const start = await s.currentRevision();
      const w = collect(s, p, start);
      try {
        const a = await s.create(p + 'a', pod('a'));
        await s.create(p.slice(0, -1) + 'z/x', pod('x'));
        const a2 = await s.update(p + 'a', (o) => ({ ...o, spec: { nodeName: 'n' } }));
        const del = await s.delete(p + 'a');
        const events = await w.waitEvents(3);
        await new Promise((r) => setTimeout(r, 50));
        expect(events).toHaveLength(3);
        expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
        expect(events.map((e) => e.key)).toEqual([p + 'a', p + 'a', p + 'a']);
        expect(events[0].object).toEqual(a);
        expect(events[0].prevObject).toBeUndefined();
        expect(events[0].revision).toBe(Number(a.metadata.resourceVersion));
        expect(events[1].object).toEqual(a2);
        expect(events[1].prevObject).toEqual(a);
        expect(events[2].object).toEqual(del);
        expect(events[2].prevObject).toEqual(a2);
        expect(events[2].revision).toBe(Number(del.metadata.resourceVersion));
        expect(w.errors).toEqual([]);
      } finally {
        w.handle.stop();
      }
    });

    it('replays from an older revision, then continues live; stop() ends delivery', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const start = await s.currentRevision();
      await s.create(p + 'a', pod('a'));
      await s.create(p + 'b', pod('b'));
      const mid = await s.currentRevision();
      await s.update(p + 'a', (o) => ({ ...o, spec: { nodeName: 'n' } }));
      const all = collect(s, p, start);
      const late = collect(s, p, mid);
      try {
        await all.waitEvents(3);
        await late.waitEvents(1);
        expect(all.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a']);
        expect(late.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED a']);
        late.handle.stop();
        await s.create(p + 'c', pod('c'));
        await all.waitEvents(4);
        expect(all.events[3].type).toBe('ADDED');
        const revs = all.events.map((e) => e.revision);
        expect([...revs].sort((x, y) => x - y)).toEqual(revs);
        await new Promise((r) => setTimeout(r, 50));
        expect(late.events).toHaveLength(1);
      } finally {
        all.handle.stop();
        late.handle.stop();
      }
    });

    it('a watch from a future revision delivers only changes after it', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const w = collect(s, p, (await s.currentRevision()) + 2);
      try {
        for (const n of ['a', 'b', 'c']) await s.create(p + n, pod(n));
        await w.waitEvents(1);
        await new Promise((r) => setTimeout(r, 50));
        expect(w.events.map((e) => e.object.metadata.name)).toEqual(['c']);
      } finally {
        w.handle.stop();
      }
    });

    it('answers a progress request with a revision covering all delivered events', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const w = collect(s, p, await s.currentRevision());
      try {
        await s.create(p + 'a', pod('a'));
        await s.create(freshPrefix() + 'elsewhere', pod('b')); // a write outside the prefix moves the revision
        const rev = await s.currentRevision();
        await w.waitEvents(1);
        expect(w.handle.requestProgress).toBeTypeOf('function');
        w.handle.requestProgress!();
        await new Promise<void>((resolve, reject) => {
          const t = setInterval(() => {
            if (w.progress.length > 0) { clearInterval(t); resolve(); }
          }, 10);
          setTimeout(() => { clearInterval(t); reject(new Error('no progress notification')); }, 5000);
        });
        expect(w.progress[0]).toBeGreaterThanOrEqual(rev);
      } finally {
        w.handle.stop();
      }
    });

    it('compaction: old lists and watches get Compacted, newer ones still work', async () => {
      const s = getStorage();
      const p = freshPrefix();
      const before = await s.currentRevision();
      await s.create(p + 'a', pod('a'));
      await s.update(p + 'a', (o) => ({ ...o, spec: { nodeName: 'n' } }));
      await s.create(p + 'gone', pod('gone'));
      await s.delete(p + 'gone');
      const rev = await s.currentRevision();
      await s.create(p + 'b', pod('b'));
      await s.compact(rev);
      const listErr = await storageError(s.list(p, { revision: before }));
      expect(listErr.code).toBe('Compacted');
      const w = collect(s, p, before);
      try {
        const err = await w.waitError();
        expect(err.code).toBe('Compacted');
        expect(w.events).toEqual([]);
      } finally {
        w.handle.stop();
      }
      const atRev = await s.list(p, { revision: rev });
      expect(atRev.items.map((o) => o.metadata.name)).toEqual(['a']);
      expect(spec(atRev.items[0]).nodeName).toBe('n');
      const w2 = collect(s, p, rev);
      try {
        const events = await w2.waitEvents(1);
        expect(events[0].type).toBe('ADDED');
        expect(events[0].object.metadata.name).toBe('b');
      } finally {
        w2.handle.stop();
      }
      // Compacting to an already compacted revision is harmless.
      await s.compact(rev);
    });
  });
}
