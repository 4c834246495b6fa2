// Jobs: a delete without a propagation policy orphans the Job's pods when served as batch/v1 (upstream's
// jobStrategy.DefaultGarbageCollectionPolicy keeps this for backwards compatibility; other versions
// delete dependents).
import type { Strategy, GarbageCollectionPolicy } from '../strategy.ts';

export const jobStrategy: Strategy = {
  statusSubresource: true,
  defaultGarbageCollectionPolicy(groupVersion: string): GarbageCollectionPolicy {
    return groupVersion === 'batch/v1' ? 'OrphanDependents' : 'DeleteDependents';
  },
};
