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
  return objs.map(({ object, source }) => {
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
  });
}
