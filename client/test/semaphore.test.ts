import { describe, it, expect } from 'vitest';
import { Semaphore } from '../src/semaphore.ts';

describe('Semaphore', () => {
  it('lets at most `limit` run at once, in arrival order, and frees slots on failure', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number, fail = false) => s.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail) throw new Error('x');
      return i;
    });
    const results = await Promise.allSettled([job(0), job(1, true), job(2), job(3), job(4)]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('serves thousands of waiters in order through acquire/release', async () => {
    const s = new Semaphore(3);
    const served: number[] = [];
    const all = Array.from({ length: 5000 }, async (_, i) => {
      const w = s.acquire();
      if (w) await w;
      served.push(i);
      await Promise.resolve();
      s.release();
    });
    expect(s.waiters).toBe(4997);
    await Promise.all(all);
    expect(served).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(s.waiters).toBe(0);
    // All slots are free again: three acquisitions succeed at once, the fourth waits.
    expect([s.acquire(), s.acquire(), s.acquire()]).toEqual([undefined, undefined, undefined]);
    expect(s.acquire()).toBeInstanceOf(Promise);
  });
});
