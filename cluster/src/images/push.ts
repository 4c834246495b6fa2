// Copies the locally built images from their OCI layout into a registry with skopeo.
import { run } from './run.ts';
import { localImages, type LocalImage } from './catalog.ts';

export interface PushOptions {
  /** OCI layout from ensureImages. */
  layoutDir: string;
  /** Registry host:port (plain http). */
  registry: string;
  images?: LocalImage[];
}

/** Pushes the images; returns the registry references written (host:port/repository:tag). */
export async function pushImages(o: PushOptions): Promise<string[]> {
  const pushed: string[] = [];
  for (const img of o.images ?? localImages) {
    const dest = `${o.registry}/${img.repository}:${img.tag}`;
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false',
      `oci:${o.layoutDir}:${img.layoutTag}`, `docker://${dest}`], { timeoutMs: 120_000 });
    pushed.push(dest);
  }
  return pushed;
}
