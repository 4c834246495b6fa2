// Deployments: a write through /status keeps the stored labels as well as the spec (upstream's
// deploymentStatusStrategy resets metadata.labels; annotations such as deployment.kubernetes.io/revision
// are the controller's to write there).
import type { KubeObject } from '@k8ts/api';
import type { Strategy } from '../strategy.ts';

export const deploymentStrategy: Strategy = {
  statusSubresource: true,
  prepareForStatusUpdate(obj: KubeObject, old: KubeObject) {
    if (old.metadata.labels === undefined) delete obj.metadata.labels;
    else obj.metadata.labels = structuredClone(old.metadata.labels);
  },
};
