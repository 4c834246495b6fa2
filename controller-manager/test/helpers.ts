// Polling helpers the controller tests share.

/** Polls f every 50 ms until it returns a truthy value, which it resolves with; throws after ms. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls cond until it holds; throws after timeoutMs. */
export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await until(what, cond, timeoutMs);
}
