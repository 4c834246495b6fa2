// Small helpers shared by the client tests.
import type { StatusError } from '@k8ts/api/status.ts';

/** The rejection of a promise that must reject (a resolution fails the test). */
export function rejection(p: Promise<unknown>): Promise<StatusError> {
  return p.then(() => { throw new Error('expected the promise to reject'); }, (e: unknown) => e as StatusError);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until fn() is truthy or the timeout passes (then throws with the message). */
export async function eventually(fn: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}
