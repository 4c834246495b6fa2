// Leader election on a coordination.k8s.io/v1 Lease (client-go tools/leaderelection): acquire when the
// lease is free or expired as observed locally, renew every retryPeriod, give up when a renewal has not
// succeeded within renewDeadline, optionally release on a graceful stop. Writes rely on resourceVersion.
import type { Lease } from 'kubernetes-types/coordination/v1';
import { isNotFound } from '@k8ts/api/status.ts';
import type { Logger } from 'pino';
import type { ResourceClient } from './resource-client.ts';
import type { Typed } from './clientset.ts';
import { silentLogger } from './log.ts';

export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaderTransitions: number;
}

/** A metav1.MicroTime string: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** resourcelock.LeaseLock: reads and writes the election record on one Lease. */
export class LeaseLock {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  private readonly client: ResourceClient<Typed<Lease>>;
  private lease: Typed<Lease> | undefined;

  constructor(client: ResourceClient<Typed<Lease>>, namespace: string, name: string, identity: string) {
    this.client = client.namespace(namespace);
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
  }

  describe(): string { return `${this.namespace}/${this.name}`; }

  async get(signal?: AbortSignal): Promise<{ record: LeaderElectionRecord; raw: string }> {
    this.lease = await this.client.get(this.name, { signal });
    const rec = leaseSpecToRecord(this.lease);
    return { record: rec, raw: JSON.stringify(rec) };
  }

  async create(rec: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.lease = await this.client.create({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace },
      spec: recordToLeaseSpec(rec),
    }, { signal });
  }

  /** Updates the lease last read or written: a 409 Conflict if someone else wrote it since. */
  async update(rec: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error('lease not initialized, call get or create first');
    this.lease = await this.client.update({ ...this.lease, spec: recordToLeaseSpec(rec) }, { signal });
  }
}

export function leaseSpecToRecord(l: Lease): LeaderElectionRecord {
  const s = l.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: s.acquireTime,
    renewTime: s.renewTime,
    leaderTransitions: s.leaseTransitions ?? 0,
  };
}

export function recordToLeaseSpec(r: LeaderElectionRecord): NonNullable<Lease['spec']> {
  const spec: NonNullable<Lease['spec']> = {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    leaseTransitions: r.leaderTransitions,
  };
  if (r.acquireTime) spec.acquireTime = r.acquireTime;
  if (r.renewTime) spec.renewTime = r.renewTime;
  return spec;
}

export interface LeaderCallbacks {
  /** Runs while leading; the signal aborts when leadership is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called whenever run() ends (as upstream: even if leadership was never acquired). */
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: LeaseLock;
  /** Non-leaders wait this long after last observing a change before taking over (default 15 s). */
  leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** Time between attempts (default 2 s). */
  retryPeriodMs?: number;
  callbacks: LeaderCallbacks;
  /** On a graceful stop, clear holderIdentity so another candidate takes over at once. */
  releaseOnCancel?: boolean;
  name?: string;
  logger?: Logger;
  now?: () => number;
}

const jitterFactor = 1.2;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class LeaderElector {
  private readonly cfg: LeaderElectionConfig;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private readonly now: () => number;
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';

  constructor(cfg: LeaderElectionConfig) {
    this.cfg = cfg;
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= jitterFactor * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (!cfg.lock.identity) throw new Error('Lock identity is empty');
    this.log = (cfg.logger ?? silentLogger()).child({ lease: cfg.lock.describe(), identity: cfg.lock.identity });
    this.now = cfg.now ?? Date.now;
  }

  /** The identity last observed holding the lease. */
  getLeader(): string { return this.observedRecord?.holderIdentity ?? ''; }
  isLeader(): boolean { return this.observedRecord?.holderIdentity === this.cfg.lock.identity; }

  private isLeaseValid(now: number): boolean {
    return !!this.observedRecord && this.observedTime + this.observedRecord.leaseDurationSeconds * 1000 > now;
  }

  private setObserved(rec: LeaderElectionRecord, raw = JSON.stringify(rec)): void {
    this.observedRecord = rec;
    this.observedRaw = raw;
    this.observedTime = this.now();
    if (rec.holderIdentity && rec.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = rec.holderIdentity;
      try { this.cfg.callbacks.onNewLeader?.(rec.holderIdentity); } catch (e) { this.log.error({ err: (e as Error).message }, 'onNewLeader threw'); }
    }
  }

  /** One attempt to acquire or renew; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const lock = this.cfg.lock;
    const nowMs = this.now();
    const now = microTime(new Date(nowMs));
    const rec: LeaderElectionRecord = {
      holderIdentity: lock.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      renewTime: now,
      acquireTime: now,
      leaderTransitions: 0,
    };
    // Fast path: we lead and our lease is still valid; renew against what we last wrote.
    if (this.isLeader() && this.isLeaseValid(nowMs)) {
      rec.acquireTime = this.observedRecord!.acquireTime;
      rec.leaderTransitions = this.observedRecord!.leaderTransitions;
      try {
        await lock.update(rec, signal);
        this.setObserved(rec);
        return true;
      } catch (e) {
        this.log.debug({ err: (e as Error).message }, 'failed to update lease optimistically, falling back to slow path');
      }
    }
    let got: { record: LeaderElectionRecord; raw: string };
    try {
      got = await lock.get(signal);
    } catch (e) {
      if (!isNotFound(e)) { this.log.warn({ err: (e as Error).message }, 'error retrieving resource lock'); return false; }
      try {
        await lock.create(rec, signal);
      } catch (e2) {
        this.log.warn({ err: (e2 as Error).message }, 'error initially creating lease lock');
        return false;
      }
      this.setObserved(rec);
      return true;
    }
    if (got.raw !== this.observedRaw) this.setObserved(got.record, got.raw);
    const old = got.record;
    if (old.holderIdentity && this.isLeaseValid(nowMs) && !this.isLeader()) {
      this.log.trace({ holder: old.holderIdentity }, 'lock is held and has not yet expired');
      return false;
    }
    if (this.isLeader()) {
      rec.acquireTime = old.acquireTime;
      rec.leaderTransitions = old.leaderTransitions;
    } else {
      rec.leaderTransitions = old.leaderTransitions + 1;
    }
    try {
      await lock.update(rec, signal);
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'failed to update lock');
      return false;
    }
    this.setObserved(rec);
    return true;
  }

  /** Clears holderIdentity if we hold the lease (ReleaseOnCancel). */
  async release(): Promise<boolean> {
    if (!this.isLeader()) return true;
    const now = microTime(new Date(this.now()));
    const rec: LeaderElectionRecord = {
      holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now,
      leaderTransitions: this.observedRecord!.leaderTransitions,
    };
    try {
      await this.cfg.lock.update(rec, AbortSignal.timeout(this.renewDeadlineMs));
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'failed to release lock');
      return false;
    }
    this.setObserved(rec);
    return true;
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info('attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal).catch(() => false)) {
        this.log.info('successfully acquired lease');
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * jitterFactor), signal);
    }
    return false;
  }

  /** Renews every retryPeriod until a renewal cannot succeed within renewDeadline, or the signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.now() + this.renewDeadlineMs;
      let ok = false;
      while (!signal.aborted && this.now() < deadline) {
        const attempt = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, deadline - this.now()))]);
        ok = await this.tryAcquireOrRenew(attempt).catch(() => false);
        if (ok || signal.aborted) break;
        await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - this.now())), signal);
      }
      if (signal.aborted) return;
      if (!ok) { this.log.info('failed to renew lease: timed out waiting for the condition'); return; }
      await sleep(this.retryPeriodMs, signal);
    }
  }

  /** Campaigns, leads while it can, and returns when leadership is lost or the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      if (!(await this.acquire(signal))) return;
      const leading = new AbortController();
      const onAbort = () => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => this.cfg.callbacks.onStartedLeading(leading.signal))
        .catch((e) => this.log.error({ err: (e as Error).message }, 'onStartedLeading failed'));
      try {
        await this.renew(signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        leading.abort();
      }
      if (this.cfg.releaseOnCancel) await this.release();
    } finally {
      try { this.cfg.callbacks.onStoppedLeading(); } catch (e) { this.log.error({ err: (e as Error).message }, 'onStoppedLeading threw'); }
    }
  }
}

/** leaderelection.RunOrDie without the die: builds an elector and runs it. */
export function runLeaderElection(cfg: LeaderElectionConfig, signal: AbortSignal): Promise<void> {
  return new LeaderElector(cfg).run(signal);
}
