// Prometheus metrics with upstream kube-scheduler names (subset).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SchedulingQueue } from './queue/scheduling-queue.ts';

export interface SchedulerMetrics {
  registry: Registry;
  /** result: scheduled | unschedulable | error. */
  observeAttempt(result: string, profile: string, seconds: number): void;
  observePreemption(victims: number): void;
}

export function newSchedulerMetrics(queue: () => SchedulingQueue | undefined): SchedulerMetrics {
  const registry = new Registry();
  const attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result. unschedulable means a pod could not be scheduled, while error means an internal scheduler problem.',
    labelNames: ['result', 'profile'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
    labelNames: ['result', 'profile'],
    buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
    registers: [registry],
  });
  const preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers: [registry] });
  const preemptionVictims = new Histogram({
    name: 'scheduler_preemption_victims',
    help: 'Number of selected preemption victims',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  new Gauge({
    name: 'scheduler_pending_pods',
    help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const q = queue();
      if (!q) return;
      const c = q.counts();
      this.set({ queue: 'active' }, c.active);
      this.set({ queue: 'backoff' }, c.backoff);
      this.set({ queue: 'unschedulable' }, c.unschedulable);
      this.set({ queue: 'gated' }, c.gated);
    },
  });
  return {
    registry,
    observeAttempt(result, profile, seconds) {
      attempts.inc({ result, profile });
      duration.observe({ result, profile }, seconds);
    },
    observePreemption(victims) {
      preemptionAttempts.inc();
      preemptionVictims.observe(victims);
    },
  };
}
