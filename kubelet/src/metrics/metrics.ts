// The kubelet's Prometheus metrics (upstream pkg/kubelet/metrics), in a registry of its own so
// that several kubelets in one process do not mix: pod/container counts from the last relist, pod
// start and pod worker durations, CRI operation counts/durations/errors, PLEG relist duration, and
// the process_* defaults.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ContainerState, PodSandboxState } from '../cri/types.ts';

/** What the last relist saw: the PLEG's view of the runtime. */
export interface RuntimeCounts {
  sandboxes: { uid: string; state: PodSandboxState }[];
  containers: { state: ContainerState }[];
}

const containerStateLabel: Record<ContainerState, string> = {
  CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown',
};

export class KubeletMetrics {
  readonly registry = new Registry();
  readonly podStartDuration: Histogram;
  readonly podWorkerDuration: Histogram<'operation'>;
  readonly runtimeOperations: Counter<'operation_type'>;
  readonly runtimeOperationsDuration: Histogram<'operation_type'>;
  readonly runtimeOperationsErrors: Counter<'operation_type'>;
  readonly plegRelistDuration: Histogram;

  constructor(runtime: () => RuntimeCounts | undefined) {
    const registers = [this.registry];
    new Gauge({
      name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox', registers,
      collect() {
        const r = runtime();
        this.set(r ? new Set(r.sandboxes.filter((s) => s.state === 'SANDBOX_READY').map((s) => s.uid)).size : 0);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers', help: 'Number of containers currently running', labelNames: ['container_state'], registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const c of runtime()?.containers ?? []) {
          const l = containerStateLabel[c.state] ?? 'unknown';
          counts.set(l, (counts.get(l) ?? 0) + 1);
        }
        for (const [l, n] of counts) this.set({ container_state: l }, n);
      },
    });
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds', registers,
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600],
    });
    this.podWorkerDuration = new Histogram({
      name: 'kubelet_pod_worker_duration_seconds', registers, labelNames: ['operation'],
      help: 'Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.runtimeOperations = new Counter({
      name: 'kubelet_runtime_operations_total', help: 'Cumulative number of runtime operations by operation type.', labelNames: ['operation_type'], registers,
    });
    this.runtimeOperationsDuration = new Histogram({
      name: 'kubelet_runtime_operations_duration_seconds', help: 'Duration in seconds of runtime operations. Broken down by operation type.',
      labelNames: ['operation_type'], registers,
      buckets: Array.from({ length: 14 }, (_, i) => 0.005 * 2.5 ** i),
    });
    this.runtimeOperationsErrors = new Counter({
      name: 'kubelet_runtime_operations_errors_total', help: 'Cumulative number of runtime operation errors by operation type.', labelNames: ['operation_type'], registers,
    });
    this.plegRelistDuration = new Histogram({
      name: 'kubelet_pleg_relist_duration_seconds', help: 'Duration in seconds for relisting pods in PLEG.', registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Text exposition format. */
  text(): Promise<string> { return this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }
}
