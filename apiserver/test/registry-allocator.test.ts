// Service ClusterIP and NodePort allocators: random picks from the upper (dynamic) band, the lower band
// kept for values asked by number until the upper one is full (upstream randomScanStrategyWithOffset), and
// the finer points of the delete propagation finalizers.
import { describe, it, expect } from 'vitest';
import { ClusterIPAllocator, PortAllocator, nodePortRangeOffset, serviceIPRangeOffset } from '../src/registry/ipallocator.ts';
import { deletionFinalizers } from '../src/registry/store.ts';

/** A "random" source that replays `picks` (modulo the span asked). */
function replay(...picks: number[]) {
  let i = 0;
  return (n: number) => picks[i++ % picks.length] % n;
}

describe('band sizes (calculateRangeOffset)', () => {
  it('NodePorts: min(max(16, size/32), 128), none for 16 ports or fewer', () => {
    expect(nodePortRangeOffset(2768)).toBe(86);
    expect(nodePortRangeOffset(100)).toBe(16);
    expect(nodePortRangeOffset(16)).toBe(0);
    expect(nodePortRangeOffset(65536)).toBe(128);
  });
  it('Service IPs: min(max(16, cidrSize/16), 256), none for /28 and smaller', () => {
    expect(serviceIPRangeOffset(2 ** 20)).toBe(256);
    expect(serviceIPRangeOffset(2 ** 8)).toBe(16);
    expect(serviceIPRangeOffset(2 ** 4)).toBe(0);
    expect(serviceIPRangeOffset(2 ** 9)).toBe(32);
  });
});

describe('PortAllocator', () => {
  it('starts at a random place in the upper band and scans forward, wrapping inside it', () => {
    // 30000-30099: offset 16, upper band 30016-30099 (84 ports).
    const a = new PortAllocator('30000-30099', replay(10, 83, 83));
    expect(a.allocate()).toBe(30026);
    expect(a.allocate()).toBe(30099);
    // 30099 is taken: the scan wraps to the start of the upper band, not into the lower one.
    expect(a.allocate()).toBe(30016);
  });
  it('falls back to the lower band only when the upper one is full, then reports full', () => {
    const a = new PortAllocator('30000-30019', replay(0));
    const got = Array.from({ length: 20 }, () => a.allocate());
    expect(got.slice(0, 4)).toEqual([30016, 30017, 30018, 30019]);
    expect(got.slice(4).sort()).toEqual(Array.from({ length: 16 }, (_, i) => 30000 + i));
    expect(() => a.allocate()).toThrow(/range is full/);
    a.release(30005);
    expect(a.allocate()).toBe(30005);
  });
  it('never hands out a port asked for by number, and gives it back on release', () => {
    const a = new PortAllocator('30000-32767');
    expect(a.allocate(30100)).toBe(30100);
    expect(() => a.allocate(30100)).toThrow('provided port is already allocated');
    expect(() => a.allocate(29999)).toThrow('provided port is not in the valid range. The range of valid ports is 30000-32767');
    const seen = new Set<number>([30100]);
    for (let i = 0; i < 300; i++) {
      const p = a.allocate();
      expect(seen.has(p)).toBe(false);
      expect(p).toBeGreaterThanOrEqual(30086);
      seen.add(p);
    }
    a.release(30100);
    expect(a.has(30100)).toBe(false);
    expect(a.allocate(30100)).toBe(30100);
  });
});

describe('ClusterIPAllocator', () => {
  it('picks from the upper band of the CIDR, never the network or broadcast address', () => {
    // 10.0.0.0/24: 254 usable, offset 16 → upper band 10.0.0.17-10.0.0.254.
    const a = new ClusterIPAllocator('10.0.0.0/24', replay(0, 237));
    expect(a.allocate()).toBe('10.0.0.17');
    expect(a.allocate()).toBe('10.0.0.254');
    expect(a.firstIP).toBe('10.0.0.1');
    expect(a.allocate('10.0.0.1')).toBe('10.0.0.1');
    expect(() => a.allocate('10.0.0.255')).toThrow(/not in the valid range/);
    expect(() => a.allocate('10.0.0.0')).toThrow(/not in the valid range/);
  });
  it('a /28 has no static band: every address is picked at random', () => {
    const a = new ClusterIPAllocator('10.0.0.0/28', replay(3));
    expect(a.allocate()).toBe('10.0.0.4');
    const all = new Set(['10.0.0.4']);
    for (let i = 0; i < 13; i++) all.add(a.allocate());
    expect(all.size).toBe(14);
    expect(() => a.allocate()).toThrow(/range is full/);
  });
  it('restore marks addresses used (API server start)', () => {
    const a = new ClusterIPAllocator('10.0.0.0/24', replay(0));
    expect(a.restore('10.0.0.17')).toBe(true);
    expect(a.restore('10.0.0.17')).toBe(false);
    expect(a.allocate()).toBe('10.0.0.18');
  });
});

describe('deletionFinalizers (deletionFinalizersForGarbageCollection)', () => {
  it('follows the request, then the recorded finalizer, then the kind default', () => {
    expect(deletionFinalizers([], {}, 'OrphanDependents')).toEqual(['orphan']);
    expect(deletionFinalizers([], {}, 'DeleteDependents')).toEqual([]);
    expect(deletionFinalizers([], { propagationPolicy: 'Background' }, 'OrphanDependents')).toEqual([]);
    expect(deletionFinalizers([], { orphanDependents: false }, 'OrphanDependents')).toEqual([]);
    expect(deletionFinalizers([], { orphanDependents: true }, 'DeleteDependents')).toEqual(['orphan']);
    expect(deletionFinalizers(['x', 'orphan'], { propagationPolicy: 'Foreground' }, 'DeleteDependents')).toEqual(['x', 'foregroundDeletion']);
    expect(deletionFinalizers(['foregroundDeletion'], {}, 'OrphanDependents')).toEqual(['foregroundDeletion']);
    expect(deletionFinalizers(['orphan'], { propagationPolicy: 'Background' }, 'DeleteDependents')).toEqual([]);
    expect(deletionFinalizers(['x'], { propagationPolicy: 'Orphan' }, 'Unsupported')).toEqual(['x']);
  });
});
