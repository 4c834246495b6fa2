import { describe, it, expect } from 'vitest';
import {
  WorkQueue, DelayingQueue, RateLimitingQueue, ItemExponentialFailureRateLimiter, BucketRateLimiter,
  MaxOfRateLimiter, ItemFastSlowRateLimiter, defaultControllerRateLimiter, runWorkers,
} from '../src/workqueue.ts';
import { sleep, eventually } from './util.ts';

describe('WorkQueue', () => {
  it('deduplicates queued items and keeps FIFO order', async () => {
    const q = new WorkQueue<string>();
    q.add('a'); q.add('b'); q.add('a'); q.add('c'); q.add('b');
    expect(q.len()).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
    expect(q.len()).toBe(0);
  });

  it('never hands one item to two workers; an add while processing is re-handed after done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a'); // dirty while processing
    expect(q.len()).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((x) => { second = x; });
    await sleep(10);
    expect(second).toBeUndefined(); // not handed out while the first is processing
    q.done('a');
    await waiting;
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('concurrent workers: each key processed by at most one worker at a time, every add eventually processed', async () => {
    const q = new WorkQueue<string>();
    const inFlight = new Set<string>();
    const violations: string[] = [];
    const lastAdd = new Map<string, number>();
    const lastSeenAtStart = new Map<string, number>();
    let seq = 0;
    const workers = Array.from({ length: 5 }, async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (inFlight.has(k)) violations.push(k);
        inFlight.add(k);
        lastSeenAtStart.set(k, lastAdd.get(k)!);
        await sleep(Math.random() * 3);
        inFlight.delete(k);
        q.done(k);
      }
    });
    for (let i = 0; i < 300; i++) {
      const k = `k${i % 7}`;
      lastAdd.set(k, ++seq);
      q.add(k);
      if (i % 10 === 0) await sleep(1);
    }
    await eventually(() => q.len() === 0 && inFlight.size === 0, 3000, 'drain');
    await sleep(10);
    q.shutDown();
    await Promise.all(workers);
    expect(violations).toEqual([]);
    // Every key's last add was observed by a processing that started after it.
    for (const [k, n] of lastAdd) expect(lastSeenAtStart.get(k)).toBe(n);
  });

  it('shutDown wakes waiting getters; queued items are still handed out; adds are ignored', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    const q2 = new WorkQueue<string>();
    q2.add('x');
    q2.shutDown();
    q2.add('y');
    expect(await q2.get()).toBe('x');
    expect(await q2.get()).toBeUndefined();
    expect(q2.shuttingDown()).toBe(true);
  });

  it('shutDownWithDrain waits for items being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const a = await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => { drained = true; });
    await sleep(20);
    expect(drained).toBe(false);
    q.done(a!);
    await p;
    expect(drained).toBe(true);
  });
});

describe('DelayingQueue', () => {
  it('adds after the delay; an earlier pending time wins', async () => {
    const q = new DelayingQueue<string>();
    const t0 = performance.now();
    q.addAfter('a', 60);
    q.addAfter('a', 200); // later: ignored
    q.addAfter('b', 30);
    expect(q.len()).toBe(0);
    expect(q.numWaiting()).toBe(2);
    expect(await q.get()).toBe('b');
    expect(await q.get()).toBe('a');
    const dt = performance.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(55);
    expect(dt).toBeLessThan(400);
    q.addAfter('c', 0);
    expect(q.len()).toBe(1);
    q.addAfter('d', 10_000);
    q.shutDown(); // clears timers so the process can exit
    expect(q.numWaiting()).toBe(0);
  });
});

describe('rate limiters', () => {
  it('item exponential: 5 ms doubling up to the cap, per item, reset by forget', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
    expect([r.when('a'), r.when('a'), r.when('a'), r.when('a')]).toEqual([5, 10, 20, 40]);
    expect(r.when('b')).toBe(5);
    expect(r.numRequeues('a')).toBe(4);
    for (let i = 0; i < 40; i++) r.when('a');
    expect(r.when('a')).toBe(1000_000);
    r.forget('a');
    expect(r.numRequeues('a')).toBe(0);
    expect(r.when('a')).toBe(5);
  });

  it('bucket: burst free, then 1/qps apart', () => {
    let now = 0;
    const r = new BucketRateLimiter<string>(10, 3, () => now);
    expect([r.when('x'), r.when('y'), r.when('z')]).toEqual([0, 0, 0]);
    expect(r.when('x')).toBeCloseTo(100);
    expect(r.when('x')).toBeCloseTo(200);
    now = 1000; // refilled
    expect(r.when('x')).toBe(0);
  });

  it('max-of and fast-slow; the default controller limiter', () => {
    const m = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(1, 100), new ItemFastSlowRateLimiter(7, 50, 2));
    expect([m.when('a'), m.when('a'), m.when('a')]).toEqual([7, 7, 50]);
    expect(m.numRequeues('a')).toBe(3);
    m.forget('a');
    expect(m.numRequeues('a')).toBe(0);
    const d = defaultControllerRateLimiter<string>();
    expect([d.when('k'), d.when('k'), d.when('k')]).toEqual([5, 10, 20]);
  });
});

describe('RateLimitingQueue + runWorkers', () => {
  it('retries a failing key with growing backoff, forgets it on success', async () => {
    const q = new RateLimitingQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(10, 1000) });
    const attempts: number[] = [];
    const t0 = performance.now();
    let requeuesSeen = -1;
    const done = runWorkers(q, 2, (key) => {
      attempts.push(performance.now() - t0);
      if (attempts.length < 4) throw new Error('not yet');
      requeuesSeen = q.numRequeues(key);
    });
    q.add('k');
    await eventually(() => attempts.length === 4, 3000, 'retries');
    // 10 + 20 + 40 ms of backoff before the fourth attempt.
    expect(attempts[3]).toBeGreaterThanOrEqual(65);
    expect(requeuesSeen).toBe(3);
    await eventually(() => q.numRequeues('k') === 0, 1000, 'forget');
    q.shutDown();
    await done;
  });

  it('requeueAfter re-adds the key, and maxRetries drops it', async () => {
    const q = new RateLimitingQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 10) });
    let a = 0, b = 0;
    const done = runWorkers(q, 3, (key) => {
      if (key === 'again') return ++a < 3 ? { requeueAfterMs: 5 } : undefined;
      b++;
      throw new Error('always');
    }, { maxRetries: 2 });
    q.add('again');
    q.add('bad');
    await eventually(() => a === 3 && b === 3, 2000, 'both keys');
    await sleep(50);
    expect(b).toBe(3); // 1 try + 2 retries, then dropped
    expect(q.numRequeues('bad')).toBe(0);
    await q.shutDownWithDrain();
    await done;
  });

  it('runs keys in parallel across workers but never one key twice at once', async () => {
    const q = new RateLimitingQueue<string>();
    let concurrent = 0, maxConcurrent = 0;
    const active = new Set<string>();
    let clash = false;
    const done = runWorkers(q, 4, async (key) => {
      if (active.has(key)) clash = true;
      active.add(key);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(15);
      concurrent--;
      active.delete(key);
    });
    for (let i = 0; i < 4; i++) q.add(`k${i}`);
    await sleep(5);
    for (let i = 0; i < 4; i++) q.add(`k${i}`); // re-adds while processing
    await eventually(() => q.len() === 0 && concurrent === 0, 2000, 'idle');
    await sleep(40);
    expect(clash).toBe(false);
    expect(maxConcurrent).toBe(4);
    q.shutDown();
    await done;
  });
});
