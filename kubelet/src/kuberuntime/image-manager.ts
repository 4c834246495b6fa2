// Image pulls per imagePullPolicy with backoff (upstream images.imageManager.EnsureImageExists):
// failures surface as ErrImagePull, later attempts inside the backoff window as ImagePullBackOff.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { CriClient } from '../cri/client.ts';
import { Backoff } from '../pod-workers/backoff.ts';
import { containerRef, noEvents, type PodEventRecorder } from './events.ts';

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export class ImageError extends Error {
  readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';
  constructor(reason: ImageError['reason'], message: string) { super(message); this.name = 'ImageError'; this.reason = reason; }
}

/** The policy as the API defaults it: Always for :latest or untagged images, else IfNotPresent. */
export function pullPolicyOf(c: Container): ImagePullPolicy {
  if (c.imagePullPolicy) return c.imagePullPolicy as ImagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class ImageManager {
  private readonly cri: CriClient;
  readonly backoff: Backoff;
  private readonly record: PodEventRecorder;
  constructor(cri: CriClient, backoff = new Backoff(), record: PodEventRecorder = noEvents) { this.cri = cri; this.backoff = backoff; this.record = record; }

  /** Makes sure the container's image is on the node; returns its image reference. */
  async ensureImageExists(pod: Pod, c: Container, init = false): Promise<string> {
    const image = c.image ?? '';
    const ref = containerRef(pod, c.name, init);
    if (!image) throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`);
    const policy = pullPolicyOf(c);
    if (policy !== 'Always') {
      const present = await this.cri.imageStatus({ image });
      if (present) {
        this.record(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return present.id;
      }
      if (policy === 'Never') {
        this.record(ref, 'Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
        throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      }
    }
    const key = `${pod.metadata?.uid}/${image}`;
    if (this.backoff.inBackoffSinceUpdate(key) > 0) {
      this.record(ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      throw new ImageError('ImagePullBackOff', `Back-off pulling image "${image}"`);
    }
    this.record(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = Date.now();
    try {
      const imageRef = await this.cri.pullImage({ image });
      this.backoff.reset(key);
      const took = `${((Date.now() - t0) / 1000).toFixed(3)}s`;
      this.record(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)`);
      return imageRef;
    } catch (err) {
      this.backoff.next(key, Date.now());
      const msg = err instanceof Error ? (err as { details?: string }).details ?? err.message : String(err);
      this.record(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      throw new ImageError('ErrImagePull', `failed to pull and unpack image "${image}": ${msg}`);
    }
  }
}
