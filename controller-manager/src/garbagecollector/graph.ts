// The dependency graph (upstream GraphBuilder): informers over every kind the GC can collect, each with
// two indexes (uid, owner uid), so "the object with this uid" and "the dependents of this uid" are cache
// lookups. Changes are turned into work for the GC's two queues by decide.ts's onObjectChange/onObjectDelete.
import { resources, apiVersionOf, parseApiVersion, type ResourceInfo } from '@k8ts/api/resources.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import { unwrapTombstone, type SharedIndexInformer, type SharedInformerFactory } from '@k8ts/client';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import {
  invalidNamespaceOwnerReferences, onObjectChange, onObjectDelete, ownerReferencesChanged,
  type Enqueues, type GraphNode, type GraphView, type ObjectIdentity,
} from './decide.ts';

const UID_INDEX = 'garbagecollector/uid';
const OWNER_UID_INDEX = 'garbagecollector/ownerUID';

/** Upstream's default ignoredResources: events are never owners nor collected. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/** The kinds the GC watches: everything served that supports list, watch and delete (GetDeletableResources). */
export function deletableResources(all: ResourceInfo[] = resources): ResourceInfo[] {
  return all.filter((r) => ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)) && !IGNORED.has(`${r.group}/${r.resource}`));
}

/** The resource for an owner reference's apiVersion and kind (any served version of the group). */
export function resourceForKind(apiVersion: string, kind: string, all: ResourceInfo[] = resources): ResourceInfo | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return all.find((r) => r.group === group && r.kind === kind && r.version === version) ?? all.find((r) => r.group === group && r.kind === kind);
}

export function identityOf(info: ResourceInfo, o: KubeObject): ObjectIdentity {
  const id: ObjectIdentity = { apiVersion: apiVersionOf(info), kind: info.kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' };
  if (info.namespaced && o.metadata.namespace) id.namespace = o.metadata.namespace;
  return id;
}

/** The work queue key of an identity ('|' appears in none of its parts). */
export function identityKey(id: ObjectIdentity): string {
  return [id.apiVersion, id.kind, id.namespace ?? '', id.name, id.uid].join('|');
}

export function parseIdentityKey(key: string): ObjectIdentity {
  const [apiVersion, kind, namespace, name, uid] = key.split('|');
  const id: ObjectIdentity = { apiVersion, kind, name, uid };
  if (namespace) id.namespace = namespace;
  return id;
}

function nodeOf(info: ResourceInfo, o: KubeObject): GraphNode {
  return { identity: identityOf(info, o), metadata: o.metadata };
}

export interface GraphSink {
  /** Work for the GC's queues. */
  enqueue(e: Enqueues): void;
  /** A reference to an owner observed in another namespace (reported once per add or change of the references). */
  invalidOwnerReference?(dependent: GraphNode, ref: OwnerReference): void;
}

export class DependencyGraph implements GraphView {
  readonly informers: { info: ResourceInfo; informer: SharedIndexInformer<KubeObject> }[];
  private synced = false;
  private readonly sink: GraphSink;

  /** Registers the GC's indexes and handlers on the factory's informers (create it before the factory starts). */
  constructor(factory: SharedInformerFactory, sink: GraphSink, kinds: ResourceInfo[] = deletableResources()) {
    this.sink = sink;
    this.informers = kinds.map((info) => ({ info, informer: factory.informerFor<KubeObject>(info) }));
    for (const { info, informer } of this.informers) {
      informer.addIndexers({
        [UID_INDEX]: (o) => (o.metadata?.uid ? [o.metadata.uid] : []),
        [OWNER_UID_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
      });
      informer.addEventHandler({
        // Until every cache is synced the graph is incomplete: markSynced() looks at everything once then.
        onAdd: (o) => { if (this.synced) this.changed(undefined, nodeOf(info, o)); },
        onUpdate: (old, o) => { if (this.synced) this.changed(nodeOf(info, old), nodeOf(info, o)); },
        onDelete: (t) => { if (this.synced) this.sink.enqueue(onObjectDelete(nodeOf(info, unwrapTombstone(t)), this)); },
      });
    }
  }

  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    const ok = await Promise.all(this.informers.map(({ informer }) => informer.waitForCacheSync(signal)));
    return ok.every(Boolean);
  }

  /** Called once all caches are synced: from now on changes are processed; everything present is looked at once. */
  markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const { info, informer } of this.informers) {
      for (const o of informer.indexer.list()) this.changed(undefined, nodeOf(info, o));
    }
  }

  private changed(old: GraphNode | undefined, cur: GraphNode): void {
    this.sink.enqueue(onObjectChange(old, cur, this));
    if (this.sink.invalidOwnerReference && cur.identity.namespace && ownerReferencesChanged(old, cur)) {
      for (const ref of invalidNamespaceOwnerReferences(cur, this)) this.sink.invalidOwnerReference(cur, ref);
    }
  }

  byUID(uid: string): GraphNode | undefined {
    for (const { info, informer } of this.informers) {
      const [o] = informer.indexer.byIndex(UID_INDEX, uid);
      if (o) return nodeOf(info, o);
    }
    return undefined;
  }

  dependents(ownerUID: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const { info, informer } of this.informers) {
      for (const o of informer.indexer.byIndex(OWNER_UID_INDEX, ownerUID)) out.push(nodeOf(info, o));
    }
    return out;
  }
}
