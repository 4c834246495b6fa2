// kube-scheduler wiring: informers on nodes and pods feed the Scheduler; optional leader election on the
// kube-system/kube-scheduler Lease; events through the shared EventRecorder.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  EventRecorder,
  LeaderElector,
  LeaseLock,
  SharedInformerFactory,
  silentLogger,
  unwrapTombstone,
  type Clientset,
  type Logger,
} from '@k8ts/client';
import { clientSchedulerAPI } from './api-adapter.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';
import { defaultSelector } from './plugins/default-selector.ts';
import { buildProfiles, type KubeSchedulerConfiguration } from './config.ts';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Service } from 'kubernetes-types/core/v1';

export interface SchedulerAppOptions extends SchedulerOptions {
  clientset: Clientset;
  logger?: Logger;
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** A KubeSchedulerConfiguration: its profiles replace the default profile. */
  config?: KubeSchedulerConfiguration;
  /** Called when leadership is lost while running (upstream exits the process: "leaderelection lost"). */
  onLeadershipLost?: () => void;
}

export interface RunningScheduler {
  scheduler: Scheduler;
  /** Resolves when the informers have synced and scheduling has started (after winning the election). */
  started: Promise<void>;
  stop(): Promise<void>;
}

const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Connects a Scheduler to informers (handlers as upstream eventhandlers.go). */
export function wireInformers(s: Scheduler, factory: SharedInformerFactory): void {
  factory.nodes().addEventHandler({
    onAdd: (n) => s.onNodeAdd(n as Node),
    onUpdate: (o, n) => s.onNodeUpdate(o as Node, n as Node),
    onDelete: (n) => s.onNodeDelete(unwrapTombstone(n) as Node),
  });
  factory.pods().addEventHandler({
    onAdd: (p) => {
      if (!terminal(p as Pod)) s.onPodAdd(p as Pod);
    },
    onUpdate: (o, n) => {
      const oldPod = o as Pod;
      const newPod = n as Pod;
      if (terminal(newPod)) {
        if (!terminal(oldPod)) s.onPodDelete(oldPod);
        return;
      }
      s.onPodUpdate(oldPod, newPod);
    },
    onDelete: (p) => s.onPodDelete(unwrapTombstone(p) as Pod),
  });
}

export function startScheduler(o: SchedulerAppOptions): RunningScheduler {
  const log = o.logger ?? silentLogger();
  const cs = o.clientset;
  const name = o.schedulerName ?? 'default-scheduler';
  const recorder = new EventRecorder(cs.events(), { component: name, logger: log });
  const factory = new SharedInformerFactory(cs, { logger: log });
  const services = factory.services();
  const replicaSets = factory.replicaSets();
  const statefulSets = factory.statefulSets();
  const namespaces = factory.namespaces();
  const namespaceLabels = (ns: string) => namespaces.indexer.getByKey(ns)?.metadata?.labels;
  const spreadSelector = (pod: Pod) =>
    defaultSelector(pod, {
      services: (ns) => services.indexer.byIndex('namespace', ns) as unknown as Service[],
      replicaSet: (ns, n) => replicaSets.indexer.getByKey(`${ns}/${n}`) as unknown as ReplicaSet | undefined,
      statefulSet: (ns, n) => statefulSets.indexer.getByKey(`${ns}/${n}`) as unknown as StatefulSet | undefined,
    });
  const api = clientSchedulerAPI(cs, recorder, 'kube-scheduler', log);
  const profiles = o.config
    ? buildProfiles(o.config, {
        bind: (p, n) => api.bind(p, n),
        defaultSpreadSelector: spreadSelector,
        namespaceLabels,
        percentageOfNodesToScore: o.percentageOfNodesToScore,
      })
    : o.profiles;
  const scheduler = new Scheduler(api, {
    defaultSpreadSelector: spreadSelector,
    namespaceLabels,
    ...o,
    profiles,
    onError: o.onError ?? ((err, what) => log.error({ err: (err as Error)?.message ?? String(err) }, `could not ${what}`)),
  });
  wireInformers(scheduler, factory);
  const ctl = new AbortController();
  let runDone: Promise<void> = Promise.resolve();
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));

  const lead = async (signal: AbortSignal) => {
    factory.start(signal);
    await factory.waitForCacheSync(signal);
    if (signal.aborted) return;
    log.info('informers synced; scheduling');
    markStarted();
    await scheduler.run(signal);
  };

  if (o.leaderElect) {
    const identity = `${hostname()}_${randomUUID()}`;
    const lock = new LeaseLock(cs.leases(o.leaseNamespace ?? 'kube-system'), o.leaseNamespace ?? 'kube-system', o.leaseName ?? 'kube-scheduler', identity);
    const elector = new LeaderElector({
      lock,
      leaseDurationMs: o.leaseDurationMs,
      renewDeadlineMs: o.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs,
      releaseOnCancel: true,
      logger: log,
      callbacks: {
        onStartedLeading: (signal) => lead(signal),
        onStoppedLeading: () => {
          log.info('stopped leading');
          if (!ctl.signal.aborted) o.onLeadershipLost?.();
        },
        onNewLeader: (id) => log.info({ leader: id }, 'new leader'),
      },
    });
    runDone = elector.run(ctl.signal);
  } else {
    runDone = lead(ctl.signal);
  }
  runDone = runDone.catch((e) => log.error({ err: (e as Error).message }, 'scheduler stopped with an error'));

  return {
    scheduler,
    started,
    async stop() {
      ctl.abort();
      await runDone;
      await factory.shutdown();
      await recorder.flush();
      await recorder.shutdown();
    },
  };
}
