// kubectl replace -f: PUT each object as written (with the live resourceVersion when the manifest has
// none); --force deletes, waits until the objects are gone, and creates them again.
import type { Factory } from '../factory.ts';
import { pathFor, type APIResource } from '../discovery.ts';
import { readManifests } from '../resource/manifest.ts';
import { infosUntilError, type Info } from '../resource/objects.ts';
import { nameLine, printGeneric, type ObjectLike } from '../printers/index.ts';
import { AggregateError, addSourceToErr } from '../errors.ts';
import { isNotFound } from '@k8ts/api/status.ts';
import { withLastApplied } from './apply.ts';

export interface ReplaceOptions {
  filenames: string[];
  recursive?: boolean;
  force?: boolean;
  gracePeriod?: number;
  timeoutSeconds?: number;
  output?: string;
  /** --save-config: store the object as the last-applied-configuration annotation. */
  saveConfig?: boolean;
}

const query = { fieldManager: 'kubectl-replace', fieldValidation: 'Strict' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kindString(m: APIResource): string {
  return m.group ? `${m.kind.toLowerCase()}.${m.group}` : m.kind.toLowerCase();
}

/** The command's printer: one YAML printer for the whole command, so documents after the first start with ---. */
function resultPrinter(f: Factory, output: string | undefined): (obj: ObjectLike) => void {
  let yamlDocs = 0;
  return (obj) => {
    if (output === 'name') f.io.out(nameLine(obj));
    else if (output === 'yaml') f.io.out((yamlDocs++ > 0 ? '---\n' : '') + printGeneric(obj, output));
    else if (output === 'json') f.io.out(printGeneric(obj, output));
    else f.io.out(nameLine(obj, 'replaced'));
  };
}

/** resource.Helper.Replace(overwrite=true): without a resourceVersion, the live one is used if there is one. */
async function replaceOne(f: Factory, info: Info, saveConfig: boolean): Promise<ObjectLike> {
  const rest = f.rest();
  const path = pathFor(info.mapping, info.namespace, info.name);
  let obj = saveConfig ? withLastApplied(info.object).modified : info.object;
  if (!obj.metadata?.resourceVersion) {
    try {
      const cur = await rest.request<ObjectLike>({ path });
      const rv = cur.metadata?.resourceVersion;
      if (rv) obj = { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
    } catch { /* the PUT reports it */ }
  }
  return rest.request<ObjectLike>({ method: 'PUT', path, query, body: obj });
}

/** The builder with ContinueOnError: every object that maps is visited; mapping and read errors come last. */
async function readInfos(f: Factory, o: ReplaceOptions): Promise<{ infos: Info[]; errors: Error[] }> {
  const read = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
  const mapper = read.objects.length ? await f.restMapper() : undefined;
  const infos: Info[] = [];
  const errors: Error[] = [];
  for (const obj of read.objects) {
    const mapped = infosUntilError(mapper!, [obj], f.namespace());
    infos.push(...mapped.infos);
    if (mapped.error) errors.push(mapped.error);
  }
  if (read.error) errors.push(read.error);
  return { infos, errors };
}

export async function runReplace(f: Factory, args: string[], o: ReplaceOptions): Promise<void> {
  if (o.gracePeriod !== undefined && o.gracePeriod >= 0 && !o.force) throw new Error('--grace-period must have --force specified');
  if (o.timeoutSeconds && !o.force) throw new Error('--timeout must have --force specified');
  if (!o.filenames.length) throw new Error('must specify one of -f and -k');
  if (o.output && !['name', 'yaml', 'json'].includes(o.output)) {
    throw new Error(`unable to match a printer suitable for the output format "${o.output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`);
  }
  if (args.length) throw new Error(`Unexpected args: [${args.join(' ')}]`);
  const print = resultPrinter(f, o.output);
  const read = await readInfos(f, o);
  const infos = read.infos;
  const errors: unknown[] = [];
  if (o.force) {
    await forceReplace(f, infos, o, errors, print);
  } else {
    for (const info of infos) {
      try {
        print(await replaceOne(f, info, !!o.saveConfig));
      } catch (e) {
        errors.push(addSourceToErr('replacing', info.source, e));
      }
    }
    if (!infos.length && !read.errors.length) throw new Error('no objects passed to replace');
  }
  errors.push(...read.errors);
  if (errors.length) throw new AggregateError(errors);
}

async function forceReplace(f: Factory, infos: Info[], o: ReplaceOptions, errors: unknown[], print: (obj: ObjectLike) => void): Promise<void> {
  const rest = f.rest();
  const body: Record<string, unknown> = { propagationPolicy: 'Background' };
  if (o.gracePeriod !== undefined && o.gracePeriod >= 0) body.gracePeriodSeconds = o.gracePeriod;
  for (const info of infos) {
    try {
      await rest.request({ method: 'DELETE', path: pathFor(info.mapping, info.namespace, info.name), body });
      f.io.out(o.output === 'name' ? `${kindString(info.mapping)}/${info.name}\n` : `${kindString(info.mapping)} "${info.name}" deleted\n`);
    } catch (e) {
      if (!isNotFound(e)) errors.push(addSourceToErr('deleting', info.source, e));
    }
  }
  if (errors.length) return;
  const deadline = Date.now() + (o.timeoutSeconds && o.timeoutSeconds > 0 ? o.timeoutSeconds : 300) * 1000;
  for (const info of infos) {
    for (;;) {
      try {
        await rest.request({ path: pathFor(info.mapping, info.namespace, info.name) });
      } catch (e) {
        if (isNotFound(e)) break;
        errors.push(e);
        return;
      }
      if (Date.now() >= deadline) { errors.push(new Error('timed out waiting for the condition')); return; }
      await sleep(1000);
    }
  }
  let count = 0;
  for (const info of infos) {
    const obj = o.saveConfig ? withLastApplied(info.object).modified : info.object;
    const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
    try {
      const created = await rest.request<ObjectLike>({ method: 'POST', path: pathFor(info.mapping, info.namespace), query, body: { ...obj, metadata: meta } });
      count++;
      print(created);
    } catch (e) {
      errors.push(e);
      return;
    }
  }
  if (count === 0 && !errors.length) errors.push(new Error('no objects passed to replace'));
}
