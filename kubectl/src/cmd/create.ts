// kubectl create -f: POST each object as written.
import type { Factory } from '../factory.ts';
import { pathFor } from '../discovery.ts';
import { readManifests } from '../resource/manifest.ts';
import { infosUntilError } from '../resource/objects.ts';
import { nameLine, type ObjectLike } from '../printers/index.ts';
import { AggregateError, addSourceToErr } from '../errors.ts';

export interface CreateOptions { filenames: string[]; recursive?: boolean; output?: string }

export async function runCreate(f: Factory, o: CreateOptions): Promise<void> {
  if (!o.filenames.length) throw new Error('must specify one of -f and -k');
  const read = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
  const mapper = read.objects.length ? await f.restMapper() : undefined;
  const mapped = mapper ? infosUntilError(mapper, read.objects, f.namespace()) : { infos: [] };
  const infos = mapped.infos;
  const errors: unknown[] = [];
  const readError = read.error ?? mapped.error;
  if (readError) errors.push(readError);
  if (!infos.length && !errors.length) throw new Error('no objects passed to create');
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
