// NamespaceController: empties terminating namespaces and then removes their `kubernetes` finalizer.
import type { Namespace } from 'kubernetes-types/core/v1';
import { resources, type KubeObject } from '@k8ts/api';
import { isNotFound } from '@k8ts/api/status.ts';
import { enqueueHandler, newRateLimitingQueue, runWorkers, type Clientset, type SharedInformerFactory, type Typed } from '@k8ts/client';
import type { Logger } from '@k8ts/client';
import { syncNamespace } from './decide.ts';

export class NamespaceController {
  private readonly queue = newRateLimitingQueue<string>('namespace');
  private readonly clientset: Clientset;
  private readonly informers: SharedInformerFactory;
  private readonly log: Logger;

  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger) {
    this.clientset = clientset;
    this.informers = informers;
    this.log = log;
    informers.namespaces().addEventHandler(enqueueHandler(this.queue, (ns) => !!ns.metadata?.deletionTimestamp));
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.log });
  }

  /** Level-triggered: reads the namespace and its content, then takes the one step syncNamespace decides. */
  async sync(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const ns = this.informers.namespaces().lister().get(name) as Typed<Namespace> | undefined;
    if (!ns?.metadata?.deletionTimestamp) return;
    const remaining = new Map<string, { total: number; terminating: number }>();
    for (const info of resources.filter((r) => r.namespaced && r.verbs.includes('deletecollection'))) {
      const list = await this.clientset.resource<KubeObject>(info, name).list();
      const items = list.items ?? [];
      if (items.length) remaining.set(`${info.group}/${info.resource}`, { total: items.length, terminating: items.filter((o) => o.metadata.deletionTimestamp).length });
    }
    const d = syncNamespace(ns, remaining);
    switch (d.action) {
      case 'deleteContent':
        for (const r of d.resources) {
          const [group, resource] = r.split('/');
          const info = resources.find((x) => x.group === group && x.resource === resource)!;
          this.log.info({ namespace: name, resource }, 'deleting namespace content');
          await this.clientset.resource(info, name).deleteCollection({}, { propagationPolicy: 'Background' });
        }
        return { requeueAfterMs: 0 };
      case 'wait':
        return { requeueAfterMs: d.afterMs };
      case 'finalize':
        try {
          await this.clientset.rest.request({
            method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`,
            body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: ns.metadata.resourceVersion }, spec: { finalizers: d.finalizers } },
          });
          this.log.info({ namespace: name }, 'namespace finalized');
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
    }
  }
}
