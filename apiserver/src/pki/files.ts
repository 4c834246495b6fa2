// Small file helpers for key material: keys are written 0600, certificates 0644. Each file appears whole or not at
// all (written beside it, then renamed), so a reader that waits for it (a test, the bench, another component) never
// reads half a PEM.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

async function writeWhole(path: string, data: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // A name of its own per write, so two writes of one file (even in one process) never share a temporary file.
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // The mode is given at creation, so a key is never readable by others, not even for a moment; chmod then sets
    // it whatever the umask.
    await writeFile(tmp, data, { mode });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function writeSecretFile(path: string, data: string): Promise<void> {
  await writeWhole(path, data, 0o600);
}

export async function writePublicFile(path: string, data: string): Promise<void> {
  await writeWhole(path, data, 0o644);
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
