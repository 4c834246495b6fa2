// Proxier: watches Services and EndpointSlices and keeps the node's iptables in step with them,
// rate-limited like upstream's (--iptables-min-sync-period, --iptables-sync-period).
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Logger, SharedInformerFactory } from '@k8ts/client';
import { buildRuleset } from './ruleset.ts';
import { BoundedFrequencyRunner } from './runner.ts';
import type { Iptables } from './iptables.ts';

/** Services and slices kube-proxy ignores (upstream's informer label selector). */
export const ProxyLabelSelector = '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless';

export interface ProxierOptions {
  nodeName: string;
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  log: Logger;
}

export class Proxier {
  private readonly informers: SharedInformerFactory;
  private readonly iptables: Iptables;
  private readonly o: ProxierOptions;
  private readonly runner: BoundedFrequencyRunner;
  private synced = false;
  private lastJumpCheck = -Infinity;
  private lastApplied = '';
  private lastRestore = -Infinity;
  /** Number of successful iptables-restore runs (for tests and logs). */
  restores = 0;

  constructor(informers: SharedInformerFactory, iptables: Iptables, o: ProxierOptions) {
    this.informers = informers;
    this.iptables = iptables;
    this.o = o;
    this.runner = new BoundedFrequencyRunner(() => this.syncProxyRules(), o.minSyncPeriodMs, o.syncPeriodMs);
    const onChange = { onAdd: () => this.requestSync(), onUpdate: () => this.requestSync(), onDelete: () => this.requestSync() };
    this.services().addEventHandler(onChange);
    this.endpointSlices().addEventHandler(onChange);
  }

  private services() { return this.informers.services({ labelSelector: ProxyLabelSelector }); }
  private endpointSlices() { return this.informers.endpointSlices({ labelSelector: ProxyLabelSelector }); }

  private requestSync(): void {
    if (this.synced) this.runner.run();
  }

  /** Waits for both caches, syncs, and keeps syncing until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const ok = await Promise.all([this.services().waitForCacheSync(signal), this.endpointSlices().waitForCacheSync(signal)]);
    if (!ok.every(Boolean)) return;
    this.synced = true;
    this.runner.run();
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    await this.runner.stop();
  }

  /** One full sync: jump rules (first time and every sync period), then the whole KUBE-* ruleset. */
  async syncProxyRules(): Promise<void> {
    const start = performance.now();
    try {
      const periodic = start - this.lastRestore >= this.o.syncPeriodMs;
      if (start - this.lastJumpCheck >= this.o.syncPeriodMs) {
        await this.iptables.ensureJumps();
        this.lastJumpCheck = start;
      }
      const services = this.services().lister().list() as Service[];
      const slices = this.endpointSlices().lister().list() as EndpointSlice[];
      const existing = await this.iptables.chains('nat');
      const rs = buildRuleset(services, slices, { nodeName: this.o.nodeName, clusterCIDR: this.o.clusterCIDR, masqueradeAll: this.o.masqueradeAll, existingNatChains: existing });
      if (rs.text === this.lastApplied && rs.deletedChains.length === 0 && !periodic) return;
      await this.iptables.restore(rs.text);
      this.lastApplied = rs.text;
      this.lastRestore = performance.now();
      this.restores++;
      this.o.log.debug({ services: services.length, endpointSlices: slices.length, natChains: rs.natChains.length, deletedChains: rs.deletedChains.length, elapsedMs: Math.round(performance.now() - start) }, 'SyncProxyRules complete');
    } catch (e) {
      this.lastApplied = '';
      this.lastJumpCheck = -Infinity;
      this.o.log.error({ err: (e as Error).message }, 'Sync failed; retrying');
      this.runner.retryAfter(this.o.syncPeriodMs);
    }
  }
}
