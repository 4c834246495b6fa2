// EndpointsController (upstream pkg/controller/endpoint): keeps the core/v1 Endpoints object of
// every Service with a selector in step with the pods it selects; deletes it with the service.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { isNotFound } from '@k8ts/api/status.ts';
import { selectorFromSet } from '@k8ts/api/labels.ts';
import { enqueueHandler, newRateLimitingQueue, runWorkers, splitKey, type Clientset, type SharedInformerFactory, type Typed } from '@k8ts/client';
import type { Logger } from '@k8ts/client';
import { syncEndpoints } from './endpoints.ts';
import { podHandler } from './handlers.ts';

/** Endpoints used as leader-election records by old components; never treated as leftovers. */
const LeaderAnnotation = 'control-plane.alpha.kubernetes.io/leader';

export class EndpointsController {
  private readonly queue = newRateLimitingQueue<string>('endpoint');
  private readonly clientset: Clientset;
  private readonly informers: SharedInformerFactory;
  private readonly log: Logger;

  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger) {
    this.clientset = clientset;
    this.informers = informers;
    this.log = log;
    const services = informers.services();
    services.addEventHandler(enqueueHandler(this.queue));
    informers.pods().addEventHandler(podHandler(services.lister(), (k) => this.queue.add(k)));
    // Endpoints changed or deleted behind our back are repaired; leftovers of deleted services removed.
    informers.endpoints().addEventHandler(enqueueHandler(this.queue, (ep: Typed<Endpoints>) => !ep.metadata.annotations?.[LeaderAnnotation]));
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.log });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? '';
    const svc = this.informers.services().lister().namespace(ns).get(name) as Typed<Service> | undefined;
    const current = this.informers.endpoints().lister().namespace(ns).get(name) as Typed<Endpoints> | undefined;
    const client = this.clientset.endpoints(ns);
    if (!svc) {
      if (!current) return;
      try {
        await client.delete(name);
        this.log.info({ endpoints: key }, 'deleted Endpoints of a deleted service');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (!svc.spec?.selector) return;
    const pods = this.informers.pods().lister().namespace(ns).list(selectorFromSet(svc.spec.selector)) as Typed<Pod>[];
    const d = syncEndpoints(svc, pods, current);
    if (d.action === 'create') {
      await client.create(d.endpoints as Typed<Endpoints>);
      this.log.info({ endpoints: key }, 'created Endpoints');
    } else if (d.action === 'update') {
      await client.update(d.endpoints as Typed<Endpoints>);
      this.log.debug({ endpoints: key }, 'updated Endpoints');
    }
  }
}
