// Mapping manifest objects to REST resources and namespaces (the builder's Infos).
import type { APIResource, RESTMapper } from '../discovery.ts';
import type { ManifestObject } from './manifest.ts';
import type { ObjectLike } from '../printers/index.ts';

export interface Info {
  mapping: APIResource;
  namespace?: string;
  name: string;
  object: ObjectLike;
  source: string;
}

/**
 * Resolves each manifest object; namespaced objects without a namespace get the default one
 * (written into the object, as the builder does). An explicit -n that contradicts an object's
 * namespace is an error.
 */
export function infosFromManifests(mapper: RESTMapper, objs: ManifestObject[], ns: { namespace: string; explicit: boolean }): Info[] {
  return objs.map((o) => infoFromManifest(mapper, o, ns));
}

/** As infosFromManifests, stopping at the first object that cannot be mapped (returned as the error). */
export function infosUntilError(mapper: RESTMapper, objs: ManifestObject[], ns: { namespace: string; explicit: boolean }): { infos: Info[]; error?: Error } {
  const infos: Info[] = [];
  for (const o of objs) {
    try { infos.push(infoFromManifest(mapper, o, ns)); } catch (e) { return { infos, error: e as Error }; }
  }
  return { infos };
}

function infoFromManifest(mapper: RESTMapper, { object, source }: ManifestObject, ns: { namespace: string; explicit: boolean }): Info {
  {
    const meta = { ...(object.metadata ?? {}) };
    let mapping: APIResource;
    try {
      mapping = mapper.kindFor(object.apiVersion ?? '', object.kind ?? '');
    } catch (e) {
      throw new Error(`resource mapping not found for name: "${meta.name ?? ''}" namespace: "${meta.namespace ?? ''}" from "${source}": ${(e as Error).message}\nensure CRDs are installed first`);
    }
    let namespace: string | undefined;
    if (mapping.namespaced) {
      if (meta.namespace && ns.explicit && meta.namespace !== ns.namespace) {
        throw new Error(`the namespace from the provided object "${meta.namespace}" does not match the namespace "${ns.namespace}". You must pass '--namespace=${meta.namespace}' to perform this operation.`);
      }
      namespace = meta.namespace || ns.namespace;
      meta.namespace = namespace;
    }
    return { mapping, namespace, name: String(meta.name ?? ''), object: { ...object, metadata: meta }, source };
  }
}
