// The prober manager (upstream prober.Manager): one worker per container and probe type, run every
// periodSeconds after initialDelaySeconds; results flip only after successThreshold successes or
// failureThreshold failures. Liveness and readiness wait for the startup probe to succeed.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1';
import type { Logger } from '@k8ts/client';
import type { CriClient } from '../cri/client.ts';
import type { PodRuntimeState } from '../kuberuntime/runtime-state.ts';
import { latestContainer } from '../kuberuntime/runtime-state.ts';
import { runProbe, type ProbeResult } from './probe.ts';
import { containerRef, type PodEventRecorder } from '../kuberuntime/events.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

interface Worker {
  uid: string;
  pod: Pod;
  containerId: string;
  type: ProbeType;
  result: ProbeResult | undefined;
  successes: number;
  failures: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export interface ProberOptions {
  cri: CriClient;
  log: Logger;
  /** A result changed: the pod needs a sync. */
  onChange: (uid: string) => void;
  record?: PodEventRecorder;
}

const key = (uid: string, name: string, type: ProbeType) => `${uid}/${name}/${type}`;

export class ProberManager {
  private readonly o: ProberOptions;
  private readonly workers = new Map<string, Worker>();

  constructor(o: ProberOptions) { this.o = o; }

  /** Starts workers for running containers with probes; replaces workers of restarted containers. */
  addPod(pod: Pod, state: PodRuntimeState): void {
    const uid = pod.metadata?.uid ?? '';
    const podIP = state.sandboxes.find((s) => s.state === 'SANDBOX_READY')?.ip ?? '';
    for (const c of pod.spec?.containers ?? []) {
      const s = latestContainer(state, c.name);
      for (const [type, probe] of [['liveness', c.livenessProbe], ['readiness', c.readinessProbe], ['startup', c.startupProbe]] as const) {
        if (!probe) continue;
        const k = key(uid, c.name, type);
        const w = this.workers.get(k);
        if (!s || s.state !== 'CONTAINER_RUNNING') {
          if (w && w.containerId !== s?.id) this.stopWorker(k);
          continue;
        }
        if (w && w.containerId === s.id) continue;
        if (w) this.stopWorker(k);
        this.startWorker(k, { uid, pod, containerId: s.id, type, result: undefined, successes: 0, failures: 0, stopped: false }, probe, c, podIP);
      }
    }
  }

  private startWorker(k: string, w: Worker, probe: Probe, c: Container, podIP: string): void {
    this.workers.set(k, w);
    const period = (probe.periodSeconds ?? 10) * 1000;
    const tick = async () => {
      if (w.stopped) return;
      // Liveness and readiness wait until the startup probe (if any) succeeded.
      const startupKey = k.replace(/\/(liveness|readiness)$/, '/startup');
      const startup = w.type !== 'startup' ? this.workers.get(startupKey) : undefined;
      if (!startup || startup.result === 'success') {
        const out = await runProbe(probe, c, { cri: this.o.cri, containerId: w.containerId, podIP });
        if (w.stopped) return;
        this.record(w, out.result, probe, c.name, out.output);
        // Startup succeeded: it is not run again for this container.
        if (w.type === 'startup' && w.result === 'success') return;
      }
      w.timer = setTimeout(() => void tick(), period);
    };
    w.timer = setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  }

  private record(w: Worker, r: ProbeResult, probe: Probe, name: string, output: string): void {
    if (r === 'success') { w.successes++; w.failures = 0; } else { w.failures++; w.successes = 0; }
    if (r === 'failure') {
      const kind = w.type === 'liveness' ? 'Liveness' : w.type === 'readiness' ? 'Readiness' : 'Startup';
      this.o.record?.(containerRef(w.pod, name), 'Warning', 'Unhealthy', `${kind} probe failed: ${output}`);
    }
    const successThreshold = w.type === 'readiness' ? probe.successThreshold ?? 1 : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    let next = w.result;
    if (r === 'success' && (w.successes >= successThreshold || w.result === undefined && w.type !== 'readiness')) next = 'success';
    if (r === 'failure' && w.failures >= failureThreshold) next = 'failure';
    if (next === w.result) return;
    w.result = next;
    if (next === 'failure') this.o.log.info({ container: name, probe: w.type, output }, 'probe failed');
    this.o.onChange(w.uid);
  }

  private stopWorker(k: string): void {
    const w = this.workers.get(k);
    if (!w) return;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.workers.delete(k);
  }

  removePod(uid: string): void {
    for (const k of [...this.workers.keys()]) if (k.startsWith(`${uid}/`)) this.stopWorker(k);
  }

  /** Container ids whose liveness or startup probe reports failure. */
  livenessFailed(uid: string): Set<string> {
    const out = new Set<string>();
    for (const [k, w] of this.workers) {
      if (k.startsWith(`${uid}/`) && (w.type === 'liveness' || w.type === 'startup') && w.result === 'failure') out.add(w.containerId);
    }
    return out;
  }

  isReady(uid: string, containerId: string, c: Container): boolean {
    if (!c.readinessProbe) return true;
    const w = this.workers.get(key(uid, c.name, 'readiness'));
    return !!w && w.containerId === containerId && w.result === 'success';
  }

  isStarted(uid: string, containerId: string, c: Container): boolean {
    if (!c.startupProbe) return true;
    const w = this.workers.get(key(uid, c.name, 'startup'));
    return !!w && w.containerId === containerId && w.result === 'success';
  }

  stop(): void { for (const k of [...this.workers.keys()]) this.stopWorker(k); }
}
