// kubectl apply (client-side): create with the last-applied-configuration annotation, or send the
// three-way strategic merge patch between last-applied, the new manifest and the live object.
import type { Factory } from '../factory.ts';
import { pathFor } from '../discovery.ts';
import { readManifests } from '../resource/manifest.ts';
import { infosUntilError, type Info } from '../resource/objects.ts';
import { nameLine, type ObjectLike } from '../printers/index.ts';
import { toCompactJson } from '../printers/json.ts';
import { AggregateError, addSourceToErr } from '../errors.ts';
import { isNotFound } from '@k8ts/api/status.ts';
import { createThreeWayMergePatch } from '@k8ts/api/patch/index.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyOptions { filenames: string[]; recursive?: boolean; output?: string }

/** GetModifiedConfiguration(annotate=true): the object carrying its own serialization as the annotation. */
export function withLastApplied(obj: ObjectLike): { modified: ObjectLike; annotation: string } {
  const annotations = { ...((obj.metadata?.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations[lastAppliedAnnotation];
  const bare = { ...obj, metadata: { ...obj.metadata, annotations } };
  const annotation = toCompactJson(bare) + '\n';
  const modified = { ...obj, metadata: { ...obj.metadata, annotations: { ...annotations, [lastAppliedAnnotation]: annotation } } };
  return { modified, annotation };
}

function isEmptyPatch(p: unknown): boolean {
  return !!p && typeof p === 'object' && Object.keys(p).length === 0;
}

async function applyOne(f: Factory, info: Info): Promise<string> {
  const rest = f.rest();
  const m = info.mapping;
  const query = { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' };
  let current: ObjectLike | undefined;
  try {
    current = await rest.request<ObjectLike>({ path: pathFor(m, info.namespace, info.name) });
  } catch (e) {
    if (!isNotFound(e)) throw addSourceToErr(`retrieving current configuration of:\nResource: "${m.group ? m.group + '/' : ''}${m.version}, Resource=${m.resource}", GroupVersionKind: "${m.group ? m.group + '/' : ''}${m.version}, Kind=${m.kind}"\nName: "${info.name}", Namespace: "${info.namespace ?? ''}"\nfrom server for:`, info.source, e);
  }
  const { modified } = withLastApplied(info.object);
  if (!current) {
    try {
      const created = await rest.request<ObjectLike>({ method: 'POST', path: pathFor(m, info.namespace), query, body: modified });
      return nameLine(created, 'created');
    } catch (e) {
      throw addSourceToErr('creating', info.source, e);
    }
  }
  const originalText = (current.metadata?.annotations as Record<string, string> | undefined)?.[lastAppliedAnnotation];
  if (originalText === undefined) {
    f.io.err(`Warning: resource ${m.resource}/${info.name} is missing the ${lastAppliedAnnotation} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`);
  }
  let original: unknown;
  if (originalText) {
    try { original = JSON.parse(originalText); } catch { original = undefined; }
  }
  const patch = createThreeWayMergePatch(m.kind, original, modified, current);
  if (isEmptyPatch(patch)) return nameLine(current, 'unchanged');
  try {
    const patched = await rest.request<ObjectLike>({
      method: 'PATCH', path: pathFor(m, info.namespace, info.name), query, body: patch,
      contentType: 'application/strategic-merge-patch+json',
    });
    return nameLine(patched, 'configured');
  } catch (e) {
    throw addSourceToErr(`applying patch:\n${JSON.stringify(patch)}\nto:\nResource: "${m.group ? m.group + '/' : ''}${m.version}, Resource=${m.resource}", GroupVersionKind: "${m.group ? m.group + '/' : ''}${m.version}, Kind=${m.kind}"\nName: "${info.name}", Namespace: "${info.namespace ?? ''}"\nfor:`, info.source, e);
  }
}

export async function runApply(f: Factory, o: ApplyOptions): Promise<void> {
  if (!o.filenames.length) throw new Error('must specify one of -f and -k');
  const read = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
  const mapper = read.objects.length ? await f.restMapper() : undefined;
  const mapped = mapper ? infosUntilError(mapper, read.objects, f.namespace()) : { infos: [] };
  const infos = mapped.infos;
  const errors: unknown[] = [];
  const readError = read.error ?? mapped.error;
  if (readError) errors.push(readError);
  if (!infos.length && !errors.length) throw new Error('no objects passed to apply');
  for (const info of infos) {
    try {
      const line = await applyOne(f, info);
      f.io.out(o.output === 'name' ? line.replace(/ \w+\n$/, '\n') : line);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw new AggregateError(errors);
}
