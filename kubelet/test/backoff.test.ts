import { describe, it, expect } from 'vitest';
import { Backoff } from '../src/pod-workers/backoff.ts';
import { pullPolicyOf } from '../src/kuberuntime/image-manager.ts';

describe('Backoff (CrashLoopBackOff / ImagePullBackOff)', () => {
  it('starts at 10 s, doubles to 5 min, and starts over after 10 min without events', () => {
    let now = 0;
    const b = new Backoff({ now: () => now });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) { b.next('k', now); delays.push(b.get('k')); now += b.get('k'); }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    const finished = now;
    now = finished + 299_000;
    expect(b.inBackoffSince('k', finished)).toBe(1000);
    now = finished + 300_001;
    expect(b.inBackoffSince('k', finished)).toBe(0);
    // Ran fine for more than 10 minutes: the next failure backs off 10 s again.
    now = finished + 601_000;
    b.next('k', now);
    expect(b.get('k')).toBe(10_000);
    expect(b.inBackoffSinceUpdate('k')).toBe(10_000);
    b.resetPrefix('k');
    expect(b.get('k')).toBe(0);
  });

  it('defaults imagePullPolicy as the API does', () => {
    expect(pullPolicyOf({ name: 'c', image: 'busybox' })).toBe('Always');
    expect(pullPolicyOf({ name: 'c', image: 'busybox:latest' })).toBe('Always');
    expect(pullPolicyOf({ name: 'c', image: 'localhost:5000/busybox:1.36' })).toBe('IfNotPresent');
    expect(pullPolicyOf({ name: 'c', image: 'localhost:5000/busybox' })).toBe('Always');
    expect(pullPolicyOf({ name: 'c', image: 'busybox', imagePullPolicy: 'Never' })).toBe('Never');
  });
});
