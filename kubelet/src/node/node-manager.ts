// Node registration and status updates (upstream kubelet registerWithAPIServer /
// updateNodeStatus): registers the Node, then recomputes its status every 10 s and writes it
// when it changed, or at least once a minute.
import type { Node, NodeStatus } from 'kubernetes-types/core/v1';
import type { Clientset, Logger, Typed } from '@k8ts/client';
import { StatusError } from '@k8ts/api/status.ts';
import { initialNode, nodeStatus, nodeStatusChanged, type MachineInfo, type NodeConfig, type RuntimeHealth } from './node-status.ts';

export interface NodeManagerOptions {
  client: Clientset;
  config: NodeConfig;
  machine: () => MachineInfo;
  health: () => Promise<RuntimeHealth>;
  log: Logger;
  /** How often status is recomputed (nodeStatusUpdateFrequency, 10 s). */
  updatePeriodMs?: number;
  /** Write at least this often even without changes (nodeStatusReportFrequency; 1 min here). */
  reportPeriodMs?: number;
}

export class NodeManager {
  private readonly o: NodeManagerOptions;
  node: Typed<Node> | undefined;
  private lastReport = 0;

  constructor(o: NodeManagerOptions) { this.o = o; }

  /** Creates the Node, or reconciles an existing one (labels, podCIDR when unset), then reports status. */
  async register(): Promise<Typed<Node>> {
    const nodes = this.o.client.nodes();
    const want = initialNode(this.o.config, this.o.machine()) as Typed<Node>;
    try {
      this.node = await nodes.create(want);
      this.o.log.info({ node: this.o.config.nodeName }, 'successfully registered node');
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      const existing = await nodes.get(this.o.config.nodeName);
      const labels = { ...(existing.metadata.labels ?? {}), ...(want.metadata.labels ?? {}) };
      const spec = { ...(existing.spec ?? {}) };
      if (!spec.podCIDR && want.spec?.podCIDR) { spec.podCIDR = want.spec.podCIDR; spec.podCIDRs = want.spec.podCIDRs; }
      this.node = await nodes.update({ ...existing, metadata: { ...existing.metadata, labels }, spec });
      this.o.log.info({ node: this.o.config.nodeName }, 'node was previously registered');
    }
    await this.updateStatus(true);
    return this.node!;
  }

  /** Computes the status and writes it when changed (or forced / report period due). */
  async updateStatus(force = false): Promise<boolean> {
    const health = await this.o.health();
    const prev = this.node?.status;
    const next: NodeStatus = nodeStatus(this.o.config, this.o.machine(), health, prev, new Date());
    const due = Date.now() - this.lastReport >= (this.o.reportPeriodMs ?? 60_000);
    if (!force && !due && !nodeStatusChanged(prev, next)) return false;
    const nodes = this.o.client.nodes();
    this.node = await nodes.patch(this.o.config.nodeName, { status: next }, 'merge', { subresource: 'status' });
    this.lastReport = Date.now();
    if (nodeStatusChanged(prev, next)) {
      const ready = next.conditions?.find((c) => c.type === 'Ready');
      this.o.log.info({ ready: ready?.status, reason: ready?.reason, message: ready?.message }, 'node status changed');
    }
    return true;
  }

  run(signal: AbortSignal): void {
    const tick = async () => {
      try { await this.updateStatus(); } catch (err) { this.o.log.info({ err: String(err) }, 'error updating node status, will retry'); }
      if (!signal.aborted) { const t = setTimeout(() => void tick(), this.o.updatePeriodMs ?? 10_000); signal.addEventListener('abort', () => clearTimeout(t), { once: true }); }
    };
    const t = setTimeout(() => void tick(), this.o.updatePeriodMs ?? 10_000);
    signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  }

  /** Recompute now (e.g. the runtime went down or came back). */
  poke(): void { void this.updateStatus().catch((err: unknown) => this.o.log.info({ err: String(err) }, 'error updating node status')); }
}
