// The pure parts of kubectl logs: which pod a controller's logs come from (podutils.ByLogging, GetFirstPod),
// which containers of which pods are read (LogsForObject), and the "[pod/p/c] " prefix of --prefix.
import { formatLabelSelector } from '@k8ts/api/labels.ts';

type Obj = Record<string, any>;

function isReady(p: Obj): boolean {
  return (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}
function readyTime(p: Obj): number {
  const c = (p.status?.conditions ?? []).find((x: Obj) => x.type === 'Ready' && x.status === 'True');
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}
function maxRestarts(p: Obj): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((s: Obj) => s.restartCount ?? 0));
}
/** afterOrZero(t1, t2): t1 is zero, or t1 after t2. */
function afterOrZero(t1: number, t2: number): boolean { return t1 === 0 || t2 === 0 ? t1 === 0 : t1 > t2; }
const phaseRank: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

/** podutils.ByLogging's Less: the pod whose logs matter most first. */
export function byLoggingLess(a: Obj, b: Obj): boolean {
  const na = a.spec?.nodeName ?? '', nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !!na;
  const ra = phaseRank[a.status?.phase] ?? 0, rb = phaseRank[b.status?.phase] ?? 0;
  if (ra !== rb) return ra < rb;
  if (isReady(a) !== isReady(b)) return isReady(a);
  if (isReady(a) && isReady(b) && readyTime(a) !== readyTime(b)) return afterOrZero(readyTime(b), readyTime(a));
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(a) > maxRestarts(b);
  const ca = Date.parse(a.metadata?.creationTimestamp ?? '') || 0, cb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ca !== cb) return afterOrZero(cb, ca);
  return false;
}

/** The pods sorted by ByLogging (stable, as Go's insertion sort for small lists). */
export function sortByLogging(pods: Obj[]): Obj[] {
  return [...pods].sort((a, b) => (byLoggingLess(a, b) ? -1 : byLoggingLess(b, a) ? 1 : 0));
}

/** polymorphichelpers.SelectorsForObject: the label selector of a controller or service. */
export function selectorForObject(obj: Obj): string {
  const kind = `${String(obj.apiVersion ?? '').split('/').length > 1 ? String(obj.apiVersion).split('/')[0] : ''}/${obj.kind}`;
  switch (kind) {
    case '/ReplicationController':
    case '/Service': {
      const sel = obj.spec?.selector as Record<string, string> | undefined;
      if (!sel || !Object.keys(sel).length) throw new Error(obj.kind === 'Service' ? 'invalid service \'' + obj.metadata?.name + '\': Service is defined without a selector' : 'invalid label selector');
      return Object.keys(sel).sort().map((k) => `${k}=${sel[k]}`).join(',');
    }
    case 'apps/ReplicaSet': case 'extensions/ReplicaSet': case 'apps/Deployment': case 'extensions/Deployment':
    case 'apps/DaemonSet': case 'extensions/DaemonSet': case 'apps/StatefulSet': case 'batch/Job':
      return formatLabelSelector(obj.spec?.selector);
    default:
      throw new Error(`selector for ${obj.kind ? `*v1.${obj.kind}` : 'object'} not implemented`);
  }
}

export interface LogRequest { pod: string; namespace: string; container: string }

/** "a, b, dbg (ephem), init (init)" (podcmd.AllContainerNames). */
export function allContainerNames(pod: Obj): string {
  const n = (k: string, suffix: string) => (pod.spec?.[k] ?? []).map((c: Obj) => `${c.name}${suffix}`);
  return [...n('containers', ''), ...n('ephemeralContainers', ' (ephem)'), ...n('initContainers', ' (init)')].join(', ');
}

function hasContainer(pod: Obj, name: string): boolean {
  return ['containers', 'initContainers', 'ephemeralContainers'].some((k) => (pod.spec?.[k] ?? []).some((c: Obj) => c.name === name));
}

/** The container a pod's logs come from when none is named, with the notes kubectl prints on stderr. */
export function logContainerOf(pod: Obj, container: string | undefined, note: (s: string) => void): string {
  let name = container ?? '';
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (!name && annotated) {
    if (hasContainer(pod, annotated)) name = annotated;
    else note(`Default container name "${annotated}" not found in pod ${pod.metadata?.name}\n`);
  }
  if (!name) {
    name = pod.spec?.containers?.[0]?.name ?? '';
    if ((pod.spec?.containers?.length ?? 0) > 1 || pod.spec?.initContainers?.length || pod.spec?.ephemeralContainers?.length) {
      note(`Defaulted container "${name}" out of: ${allContainerNames(pod)}\n`);
    }
  }
  if (!hasContainer(pod, name)) throw new Error(`container ${name} is not valid for pod ${pod.metadata?.name}`);
  return name;
}

/** The log requests for pods: every container with --all-containers (init, regular, ephemeral), else one. */
export function logRequests(pods: Obj[], o: { container?: string; allContainers?: boolean }, note: (s: string) => void): LogRequest[] {
  const out: LogRequest[] = [];
  for (const p of pods) {
    const base = { pod: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '' };
    if (o.allContainers) {
      for (const key of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of p.spec?.[key] ?? []) out.push({ ...base, container: c.name });
      continue;
    }
    out.push({ ...base, container: logContainerOf(p, o.container, note) });
  }
  return out;
}

/** Prefixes each complete line with "[pod/P/C] " (partial lines wait for their end). */
export class PrefixingWriter {
  private readonly prefix: string;
  private readonly write: (s: string) => void;
  private partial = '';
  constructor(r: LogRequest, write: (s: string) => void) { this.prefix = `[pod/${r.pod}/${r.container}] `; this.write = write; }
  push(chunk: string): void {
    const text = this.partial + chunk;
    const i = text.lastIndexOf('\n');
    if (i < 0) { this.partial = text; return; }
    this.partial = text.slice(i + 1);
    this.write(text.slice(0, i + 1).split('\n').slice(0, -1).map((l) => `${this.prefix}${l}\n`).join(''));
  }
  end(): void { if (this.partial) { this.write(`${this.prefix}${this.partial}`); this.partial = ''; } }
}
