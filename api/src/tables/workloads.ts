// Tables of the workload kinds: deployments, replicasets, daemonsets, statefulsets, jobs.
import { humanDuration } from '../age.ts';
import { formatLabelSelector, formatLabels, formatSelector, labelSelectorAsSelector } from '../labels.ts';
import { age, ageColumn, col, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from './types.ts';
import type { KindTable, Obj, PrintOptions } from './types.ts';

const selectorColumn = (description: string) => col('Selector', 'string', description, 1);
const labelSelectorDoc = 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.';

function containers(o: Obj): { names: string; images: string } {
  return layoutContainerCells(o.spec?.template?.spec?.containers);
}

export const deploymentTable: KindTable = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn, containersColumn, imagesColumn, selectorColumn(labelSelectorDoc),
  ],
  print(o: Obj, opts: PrintOptions) {
    const s = o.status ?? {};
    const cells: unknown[] = [o.metadata?.name ?? '', `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age(o, opts)];
    if (opts.wide) {
      let selector: string;
      try {
        selector = formatSelector(labelSelectorAsSelector(o.spec?.selector));
      } catch {
        selector = '<invalid>';
      }
      const { names, images } = containers(o);
      cells.push(names, images, selector);
    }
    return { cells };
  },
};

export const replicaSetTable: KindTable = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn, containersColumn, imagesColumn,
    selectorColumn('Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  print(o: Obj, opts: PrintOptions) {
    const cells: unknown[] = [o.metadata?.name ?? '', o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o, opts)];
    if (opts.wide) {
      const { names, images } = containers(o);
      cells.push(names, images, formatLabelSelector(o.spec?.selector));
    }
    return { cells };
  },
};

export const daemonSetTable: KindTable = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    ageColumn, containersColumn, imagesColumn,
    selectorColumn('A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  print(o: Obj, opts: PrintOptions) {
    const s = o.status ?? {};
    const cells: unknown[] = [o.metadata?.name ?? '', s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0,
      s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, formatLabels(o.spec?.template?.spec?.nodeSelector), age(o, opts)];
    if (opts.wide) {
      const { names, images } = containers(o);
      cells.push(names, images, formatLabelSelector(o.spec?.selector));
    }
    return { cells };
  },
};

export const statefulSetTable: KindTable = {
  columns: [nameColumn, col('Ready', 'string', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  print(o: Obj, opts: PrintOptions) {
    const cells: unknown[] = [o.metadata?.name ?? '', `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o, opts)];
    if (opts.wide) {
      const { names, images } = containers(o);
      cells.push(names, images);
    }
    return { cells };
  },
};

function jobCondition(o: Obj, type: string): boolean {
  const c = (o.status?.conditions ?? []).find((x: Obj) => x.type === type);
  return c?.status === 'True';
}

export const jobTable: KindTable = {
  columns: [
    nameColumn,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn, containersColumn, imagesColumn,
    selectorColumn('A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  print(o: Obj, opts: PrintOptions) {
    const succeeded = o.status?.succeeded ?? 0;
    let completions: string;
    if (o.spec?.completions !== undefined && o.spec?.completions !== null) {
      completions = `${succeeded}/${o.spec.completions}`;
    } else {
      const parallelism = o.spec?.parallelism ?? 0;
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    let duration = '';
    const start = o.status?.startTime ? Date.parse(o.status.startTime) : NaN;
    if (!Number.isNaN(start)) {
      const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : opts.now.getTime();
      duration = humanDuration(end - start);
    }
    let status: string;
    if (jobCondition(o, 'Complete')) status = 'Complete';
    else if (jobCondition(o, 'Failed')) status = 'Failed';
    else if (o.metadata?.deletionTimestamp) status = 'Terminating';
    else if (jobCondition(o, 'Suspended')) status = 'Suspended';
    else if (jobCondition(o, 'FailureTarget')) status = 'FailureTarget';
    else status = 'Running';
    const cells: unknown[] = [o.metadata?.name ?? '', status, completions, duration, age(o, opts)];
    if (opts.wide) {
      const { names, images } = containers(o);
      cells.push(names, images, formatLabelSelector(o.spec?.selector));
    }
    return { cells };
  },
};
