// EndpointSliceController (upstream pkg/controller/endpointslice): keeps, for every Service with a
// selector, discovery.k8s.io/v1 EndpointSlices listing the pods it selects.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isNotFound } from '@k8ts/api/status.ts';
import { selectorFromSet } from '@k8ts/api/labels.ts';
import { enqueueHandler, newRateLimitingQueue, runWorkers, splitKey, unwrapTombstone, type Clientset, type SharedInformerFactory, type Typed } from '@k8ts/client';
import type { Logger } from '@k8ts/client';
import { ControllerName, LabelManagedBy, LabelServiceName, desiredSlices, reconcileSlices } from './decide.ts';
import { podHandler } from './handlers.ts';

/** How long to wait for the cache to show this controller's own writes before trusting it anyway. */
const expectationTimeoutMs = 10_000;

interface Expectations { at: number; slices: Map<string, string | 'deleted'> }

export class EndpointSliceController {
  private readonly queue = newRateLimitingQueue<string>('endpoint_slice');
  private readonly clientset: Clientset;
  private readonly informers: SharedInformerFactory;
  private readonly log: Logger;
  /** Per service: slices written by this controller that the cache must show before the next sync (name → RV or deleted). */
  private readonly expectations = new Map<string, Expectations>();

  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger) {
    this.clientset = clientset;
    this.informers = informers;
    this.log = log;
    const services = informers.services();
    services.addEventHandler(enqueueHandler(this.queue));
    informers.pods().addEventHandler(podHandler(services.lister(), (k) => this.queue.add(k)));
    const onSlice = (o: EndpointSlice | undefined) => {
      const labels = o?.metadata?.labels;
      if (labels?.[LabelManagedBy] !== ControllerName || !labels[LabelServiceName]) return;
      this.queue.add(`${o!.metadata!.namespace}/${labels[LabelServiceName]}`);
    };
    informers.endpointSlices().addEventHandler({
      onAdd: (s) => onSlice(s),
      onUpdate: (_o, s) => onSlice(s),
      onDelete: (s) => onSlice(unwrapTombstone(s)),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.log });
  }

  /** Whether the slice cache reflects every write of the last sync of this service. */
  private cacheCaughtUp(key: string, managed: readonly Typed<EndpointSlice>[]): boolean {
    const e = this.expectations.get(key);
    if (!e) return true;
    if (performance.now() - e.at > expectationTimeoutMs) { this.expectations.delete(key); return true; }
    const byName = new Map(managed.map((s) => [s.metadata.name, s]));
    for (const [name, rv] of e.slices) {
      const cached = byName.get(name);
      if (rv === 'deleted' ? cached !== undefined : !cached || BigInt(cached.metadata.resourceVersion ?? '0') < BigInt(rv)) return false;
    }
    this.expectations.delete(key);
    return true;
  }

  /** Level-triggered: reads the service, its pods and its managed slices, then closes the gap. */
  async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? '';
    const managed = this.informers.endpointSlices().lister().namespace(ns)
      .list(selectorFromSet({ [LabelServiceName]: name, [LabelManagedBy]: ControllerName }));
    if (!this.cacheCaughtUp(key, managed)) return { requeueAfterMs: 100 };
    const svc = this.informers.services().lister().namespace(ns).get(name) as Typed<Service> | undefined;
    const slices = this.clientset.endpointSlices(ns);
    const written = new Map<string, string | 'deleted'>();
    if (!svc) {
      // The service is gone: remove its slices now rather than waiting for garbage collection.
      for (const s of managed) await this.deleteSlice(ns, s.metadata.name!, written);
      if (written.size) this.expectations.set(key, { at: performance.now(), slices: written });
      return;
    }
    const pods = this.informers.pods().lister().namespace(ns).list(selectorFromSet(svc.spec?.selector ?? {})) as Typed<Pod>[];
    const desired = desiredSlices(svc, svc.spec?.selector ? pods : []);
    if (!desired) return;
    const actions = reconcileSlices(svc, desired, managed);
    try {
      for (const s of actions.update) {
        const out = await slices.update(s as Typed<EndpointSlice>);
        written.set(out.metadata.name!, out.metadata.resourceVersion!);
      }
      for (const s of actions.create) {
        const out = await slices.create(s as Typed<EndpointSlice>);
        written.set(out.metadata.name!, out.metadata.resourceVersion!);
        this.log.debug({ service: key, slice: out.metadata.name }, 'created EndpointSlice');
      }
      for (const s of actions.delete) await this.deleteSlice(ns, s.metadata!.name!, written);
    } finally {
      if (written.size) this.expectations.set(key, { at: performance.now(), slices: written });
    }
    if (actions.create.length + actions.update.length + actions.delete.length > 0) {
      this.log.info({ service: key, created: actions.create.length, updated: actions.update.length, deleted: actions.delete.length }, 'synced EndpointSlices');
    }
  }

  private async deleteSlice(ns: string, name: string, written: Map<string, string | 'deleted'>): Promise<void> {
    try {
      await this.clientset.endpointSlices(ns).delete(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    written.set(name, 'deleted');
  }
}
