// ImageLocality over a snapshot taken from the cache, which tells it which images no node has (the per-node
// lookup is then skipped): the scores must be those of the per-node computation.
import { describe, expect, it } from 'vitest';
import { Cache } from '../src/cache.ts';
import { CycleState } from '../src/framework/cycle-state.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { ImageLocality } from '../src/plugins/image-locality.ts';
import { makeNode, makePod } from './helpers.ts';

const MB = 1024 * 1024;

function scores(snap: Snapshot, image: string): number[] {
  const pl = new ImageLocality();
  const pod = makePod('p');
  pod.spec!.containers[0].image = image;
  const state = new CycleState(snap);
  pl.preScore(state, pod);
  return snap.nodeInfoList.map((ni) => pl.score(state, pod, ni));
}

describe('ImageLocality with the cache image index', () => {
  const nodes = [
    makeNode('a', { images: [{ names: ['registry.k8s.io/big:1'], sizeBytes: 800 * MB }] }),
    makeNode('b'),
    makeNode('c', { images: [{ names: ['registry.k8s.io/big:1'], sizeBytes: 800 * MB }] }),
  ];

  it('scores as the per-node computation on a snapshot built from objects', () => {
    const cache = new Cache();
    for (const n of nodes) cache.addNode(n);
    const fromCache = cache.snapshot();
    expect(fromCache.hasImage).toBeDefined();
    const plain = Snapshot.fromObjects(nodes);
    expect(plain.hasImage).toBeUndefined();
    const byName = (s: Snapshot, img: string) => Object.fromEntries(s.nodeInfoList.map((ni, i) => [ni.name, scores(s, img)[i]]));
    for (const img of ['registry.k8s.io/big:1', 'registry.k8s.io/absent:1']) {
      expect(byName(fromCache, img)).toEqual(byName(plain, img));
    }
    const present = byName(fromCache, 'registry.k8s.io/big:1');
    expect(present.a).toBeGreaterThan(0);
    expect(present.b).toBe(0);
  });

  it('follows nodes added and removed after the first snapshot', () => {
    const cache = new Cache();
    cache.addNode(nodes[1]);
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    expect(scores(snap, 'registry.k8s.io/big:1')).toEqual([0]);
    cache.addNode(nodes[0]);
    cache.updateSnapshot(snap);
    const s = scores(snap, 'registry.k8s.io/big:1');
    expect(Math.max(...s)).toBeGreaterThan(0);
    cache.removeNode(nodes[0]);
    cache.updateSnapshot(snap);
    expect(scores(snap, 'registry.k8s.io/big:1')).toEqual([0]);
  });
});
