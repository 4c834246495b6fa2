// The pod lifecycle event generator (upstream GenericPLEG): relists the runtime every second and
// reports the uids of pods whose sandboxes or containers appeared, changed state or disappeared.
import type { CriClient } from '../cri/client.ts';
import { podUidLabel } from '../kuberuntime/labels.ts';
import type { Logger } from '@k8ts/client';
import type { RuntimeCounts } from '../metrics/metrics.ts';

/** uid → a fingerprint of the pod's runtime objects and their states. */
export type RelistSnapshot = Map<string, string>;

export async function relist(cri: CriClient, seen?: (r: RuntimeCounts) => void): Promise<RelistSnapshot> {
  const [sandboxes, containers] = await Promise.all([cri.listPodSandbox(), cri.listContainers()]);
  seen?.({ sandboxes: sandboxes.map((s) => ({ uid: s.labels[podUidLabel] ?? '', state: s.state })), containers: containers.map((c) => ({ state: c.state })) });
  const parts = new Map<string, string[]>();
  const add = (uid: string | undefined, s: string) => {
    if (!uid) return;
    const l = parts.get(uid) ?? [];
    l.push(s);
    parts.set(uid, l);
  };
  for (const s of sandboxes) add(s.labels[podUidLabel], `s:${s.id}:${s.state}`);
  for (const c of containers) add(c.labels[podUidLabel], `c:${c.id}:${c.state}`);
  return new Map([...parts].map(([uid, l]) => [uid, l.sort().join(',')]));
}

/** The uids whose fingerprint differs between two relists. */
export function changedPods(prev: RelistSnapshot, next: RelistSnapshot): string[] {
  const out: string[] = [];
  for (const [uid, fp] of next) if (prev.get(uid) !== fp) out.push(uid);
  for (const uid of prev.keys()) if (!next.has(uid)) out.push(uid);
  return out;
}

export interface PlegOptions {
  cri: CriClient;
  periodMs?: number;
  log: Logger;
  onPodChanged: (uid: string) => void;
  /** Called after every relist with its outcome (the node status uses it as a runtime health signal). */
  onRelist?: (ok: boolean, snapshot: RelistSnapshot) => void;
  /** Duration of each successful relist, in seconds. */
  observeRelist?: (seconds: number) => void;
}

export class Pleg {
  private readonly o: PlegOptions;
  private snapshot: RelistSnapshot = new Map();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  lastRelistOk = 0;
  /** Sandboxes and containers as of the last relist. */
  runtime: RuntimeCounts | undefined;

  constructor(o: PlegOptions) { this.o = o; }

  /** The runtime's pod uids as of the last relist. */
  podUids(): string[] { return [...this.snapshot.keys()]; }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        const t0 = performance.now();
        const next = await relist(this.o.cri, (r) => { this.runtime = r; });
        this.o.observeRelist?.((performance.now() - t0) / 1000);
        const changed = changedPods(this.snapshot, next);
        this.snapshot = next;
        this.lastRelistOk = Date.now();
        for (const uid of changed) this.o.onPodChanged(uid);
        this.o.onRelist?.(true, next);
      } catch (err) {
        this.o.log.debug({ err: String(err) }, 'PLEG relist failed');
        this.o.onRelist?.(false, this.snapshot);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.o.periodMs ?? 1000);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
