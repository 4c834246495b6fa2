import type { Pod } from 'kubernetes-types/core/v1';
import { StateReader, type CycleState, type StateData } from '../framework/cycle-state.ts';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import type { MaybeStatus } from '../framework/status.ts';
import type { NodeInfo } from '../framework/node-info.ts';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Adds ":latest" to image names without a tag or digest, as the kubelet reports them. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const lastPart = name.slice(lastSlash + 1);
  if (!lastPart.includes(':') && !name.includes('@')) return `${name}:latest`;
  return name;
}

/** Scores nodes that already have the pod's images, weighted by image size and how widely the image is spread. */
const KEY = 'PreScoreImageLocality';

class Images implements StateData {
  readonly names: string[];
  readonly numContainers: number;
  /** False when no node of the snapshot has any of the images: every node's sum is then 0. */
  readonly onSomeNode: boolean;
  constructor(names: string[], n: number, onSomeNode = true) {
    this.names = names;
    this.numContainers = n;
    this.onSomeNode = onSomeNode;
  }
  clone(): StateData {
    return this;
  }
}

function podImages(pod: Pod, hasImage?: (name: string) => boolean): Images {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const names = containers.filter((c) => c.image).map((c) => normalizedImageName(c.image!));
  return new Images(names, containers.length, !hasImage || names.some(hasImage));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = 'ImageLocality';
  private readonly preScoreState = new StateReader<Images>(KEY);

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(KEY, podImages(pod, state.snapshot.hasImage));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const totalNumNodes = state.snapshot.numNodes();
    const images = this.preScoreState.read(state) ?? podImages(pod);
    let sum = 0;
    if (images.onSomeNode) for (const image of images.names) {
      const st = nodeInfo.imageStates.size ? nodeInfo.imageStates.get(image) : undefined;
      if (st && totalNumNodes > 0) sum += Math.trunc(st.size * (st.numNodes / totalNumNodes));
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * images.numContainers;
    if (sum < MIN_THRESHOLD) sum = MIN_THRESHOLD;
    else if (sum > maxThreshold) sum = maxThreshold;
    if (maxThreshold <= MIN_THRESHOLD) return 0;
    return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
  }
}
