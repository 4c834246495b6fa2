// kubectl create -f: POST each object as written.
import type { Factory } from '../factory.ts';
import { pathFor } from '../discovery.ts';
import { readManifests } from '../resource/manifest.ts';
import { infosFromManifests } from '../resource/objects.ts';
import { nameLine, type ObjectLike } from '../printers/index.ts';
import { AggregateError, addSourceToErr } from '../errors.ts';

export interface CreateOptions { filenames: string[]; recursive?: boolean; output?: string }

export async function runCreate(f: Factory, o: CreateOptions): Promise<void> {
  if (!o.filenames.length) throw new Error('must specify one of -f and -k');
  const objs = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
  if (!objs.length) throw new Error('no objects passed to create');
  const mapper = await f.restMapper();
  const infos = infosFromManifests(mapper, objs, f.namespace());
  const errors: unknown[] = [];
  for (const info of infos) {
    try {
      const created = await f.rest().request<ObjectLike>({
        method: 'POST', path: pathFor(info.mapping, info.namespace),
        query: { fieldManager: 'kubectl-create', fieldValidation: 'Strict' }, body: info.object,
      });
      f.io.out(nameLine(created, o.output === 'name' ? undefined : 'created'));
    } catch (e) {
      errors.push(addSourceToErr('creating', info.source, e));
    }
  }
  if (errors.length) throw new AggregateError(errors);
}
