// A machine-wide lock (an atomically created directory holding the owner's pid) around choosing and
// claiming address ranges, so concurrent `k8ts up`s never pick the same subnet.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const defaultLockDir = '/run/k8ts/net.lock';

function ownerAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    // No pid file yet: the owner is between mkdir and writing it, unless that was long ago.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      try { return Date.now() - statSync(dir).mtimeMs < 10_000; } catch { return false; }
    }
    return false;
  }
}

export async function withNetLock<T>(fn: () => Promise<T>, lockDir = defaultLockDir, timeoutMs = 60_000): Promise<T> {
  mkdirSync(join(lockDir, '..'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!ownerAlive(lockDir)) { rmSync(lockDir, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the network lock ${lockDir}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
