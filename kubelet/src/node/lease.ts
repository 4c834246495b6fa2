// The node lease (upstream nodelease controller): a Lease named after the node in kube-node-lease,
// owned by the Node, renewed every 10 s; the node lifecycle controller reads it as the heartbeat.
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Clientset, Logger, Typed } from '@k8ts/client';
import { StatusError } from '@k8ts/api/status.ts';

export const leaseNamespace = 'kube-node-lease';
export const leaseDurationSeconds = 40;

export const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export function desiredLease(nodeName: string, nodeUid: string | undefined, now: Date, prev?: Lease): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      ...(prev?.metadata ?? {}),
      name: nodeName, namespace: leaseNamespace,
      ownerReferences: nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] : prev?.metadata?.ownerReferences,
    },
    spec: { ...(prev?.spec ?? {}), holderIdentity: nodeName, leaseDurationSeconds, renewTime: microTime(now) },
  };
}

export class NodeLease {
  private readonly client: Clientset;
  private readonly nodeName: string;
  private readonly log: Logger;
  private lease: Typed<Lease> | undefined;
  nodeUid: string | undefined;

  constructor(client: Clientset, nodeName: string, log: Logger) { this.client = client; this.nodeName = nodeName; this.log = log; }

  /** Creates or renews the lease. */
  async renew(now = new Date()): Promise<Typed<Lease>> {
    const leases = this.client.leases(leaseNamespace);
    if (!this.lease) {
      try { this.lease = await leases.get(this.nodeName); } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
        this.lease = await leases.create(desiredLease(this.nodeName, this.nodeUid, now) as Typed<Lease>);
        return this.lease;
      }
    }
    try {
      this.lease = await leases.update(desiredLease(this.nodeName, this.nodeUid, now, this.lease) as Typed<Lease>);
    } catch (err) {
      this.lease = undefined; // re-read next time (conflict or deleted)
      throw err;
    }
    return this.lease;
  }

  run(signal: AbortSignal, periodMs = 10_000): void {
    const tick = async () => {
      try { await this.renew(); } catch (err) { this.log.info({ err: String(err) }, 'failed to renew node lease'); }
      if (!signal.aborted) { const t = setTimeout(() => void tick(), periodMs); signal.addEventListener('abort', () => clearTimeout(t), { once: true }); }
    };
    void tick();
  }
}
