// The status manager (upstream kubelet status.Manager): keeps the latest status the kubelet
// computed per pod and writes it through pods/<name>/status only when it differs from what the
// API server holds; confirms a terminated pod's deletion with a zero-grace DELETE.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1';
import type { Clientset, Logger, Typed } from '@k8ts/client';
import { StatusError } from '@k8ts/api/status.ts';
import { podStatusEqual } from './generate.ts';

export class StatusManager {
  private readonly client: Clientset;
  private readonly log: Logger;
  /** uid → the last status written (or read back). */
  private readonly written = new Map<string, PodStatus>();

  constructor(client: Clientset, log: Logger) { this.client = client; this.log = log; }

  /** The status last written for the pod, if any. */
  get(uid: string): PodStatus | undefined { return this.written.get(uid); }

  /** Writes status when it differs from the pod's current one; returns whether it wrote. */
  async setPodStatus(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const known = this.written.get(uid) ?? pod.status;
    if (podStatusEqual(known, status)) return false;
    const pods = this.client.pods(pod.metadata?.namespace);
    let base = pod as Typed<Pod>;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const updated = await pods.updateStatus({ ...base, status } as Typed<Pod>);
        this.written.set(uid, updated.status ?? status);
        return true;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) {
          base = await pods.get(pod.metadata?.name ?? '');
          if (base.metadata?.uid !== uid) return false;
          continue;
        }
        if (err instanceof StatusError && err.code === 404) return false;
        throw err;
      }
    }
    this.log.debug({ pod: pod.metadata?.name }, 'status update kept conflicting; will retry on the next sync');
    return false;
  }

  /** The final DELETE of a pod whose containers are all gone (gracePeriodSeconds=0, uid precondition). */
  async deletePod(pod: Pod): Promise<void> {
    try {
      await this.client.pods(pod.metadata?.namespace).delete(pod.metadata?.name ?? '', {
        gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid },
      });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  forget(uid: string): void { this.written.delete(uid); }
}
