// kubectl edit: the live object(s) in $KUBE_EDITOR/$EDITOR (editoptions.go's loop): unchanged → cancelled;
// changed → a strategic merge patch (JSON merge patch for kinds without patch metadata); rejected as
// invalid or unparsable → the file is reopened with the reasons as comments on top; saved again
// without changes → "Edit cancelled, no valid changes were saved." and the file is kept.
import { spawnSync } from 'node:child_process';
import { openSync, writeSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubeYamlOptions } from '@k8ts/api/yaml.ts';
import type { Factory } from '../factory.ts';
import { pathFor, type APIResource } from '../discovery.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { parseManifest, readManifests } from '../resource/manifest.ts';
import { infosUntilError } from '../resource/objects.ts';
import { nameLine, omitManagedFields, printGeneric, type ObjectLike } from '../printers/index.ts';
import { toJson } from '../printers/json.ts';
import { toYaml } from '../printers/yaml.ts';
import { ExitError } from '../errors.ts';
import { StatusError } from '@k8ts/api/status.ts';
import { createTwoWayMergePatch, hasPatchSchema, PreconditionError } from '@k8ts/api/patch/index.ts';

export interface EditOptions {
  output?: string;
  filenames?: string[];
  recursive?: boolean;
  /** --output-patch: print each PATCH body as "Patch: ...". */
  outputPatch?: boolean;
  /** --field-manager (default kubectl-edit). */
  fieldManager?: string;
}

interface Target { mapping: APIResource; namespace?: string; name: string; object: ObjectLike }

/** An editReason: a headline and its details, written as comments on top of the reopened file. */
export interface EditReason { head: string; other: string[] }

const headerText = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** hashOnLineBreak: continuation lines of a reason stay comments. */
function hashOnLineBreak(s: string): string {
  let r = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\n' && i + 1 < s.length && s[i + 1] !== '#') r += '\n# ';
    else r += s[i];
  }
  return r;
}

/** editHeader.writeTo. */
export function editHeader(reasons: EditReason[]): string {
  let s = headerText;
  for (const r of reasons) {
    s += r.other.length ? `# ${hashOnLineBreak(r.head)}:\n` : `# ${hashOnLineBreak(r.head)}\n`;
    for (const o of r.other) s += `# * ${hashOnLineBreak(o)}\n`;
    s += '#\n';
  }
  return s;
}

/** cmdutil.ManualStrip: drops comment lines (but not "#!"). */
export function manualStrip(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith('#') && !t.startsWith('#!')) return;
    out.push(line + (i < lines.length - 1 ? '\n' : ''));
  });
  return out.join('');
}

/** cmdutil.StripComments: the document as JSON (so comments and layout do not count), or ManualStrip when it does not parse. */
export function stripComments(text: string): string {
  try {
    const docs = parseAllDocuments(text, { ...kubeYamlOptions, uniqueKeys: false });
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.some((d) => d.errors.length)) return manualStrip(text);
    return JSON.stringify(list.length ? list[0].toJS() ?? null : null);
  } catch {
    return manualStrip(text);
  }
}

/**
 * The client-side check kubectl runs on the saved file before anything else (a schema that leaves the
 * rest to the server's fieldValidation): one object with apiVersion and kind.
 */
export function validateEdited(text: string): string | undefined {
  const docs = parseAllDocuments(text, { ...kubeYamlOptions, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const bad = list.find((d) => d.errors.length);
  if (bad) {
    const e = bad.errors[0];
    const line = e.linePos?.[0]?.line;
    return `yaml: ${line ? `line ${line}: ` : ''}${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
  }
  const v = list.length ? list[0].toJS() : null;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'invalid object to validate';
  if ((v as ObjectLike).apiVersion === undefined || (v as ObjectLike).apiVersion === null) return 'apiVersion not set';
  if ((v as ObjectLike).kind === undefined || (v as ObjectLike).kind === null) return 'kind not set';
  return undefined;
}

/** hasLines: any line that is neither blank nor a comment. */
function hasLines(text: string): boolean {
  return text.split('\n').some((l) => { const t = l.trim(); return t.length > 0 && t[0] !== '#'; });
}

/** The editor command as kubectl derives it from $KUBE_EDITOR / $EDITOR (default vi). */
export function editorArgs(env: NodeJS.ProcessEnv = process.env): { args: string[]; shell: boolean } {
  const editor = env.KUBE_EDITOR || env.EDITOR || 'vi';
  if (!editor.includes(' ')) return { args: [editor], shell: false };
  if (!/["'\\]/.test(editor)) return { args: editor.split(' '), shell: false };
  return { args: [env.SHELL || '/bin/bash', '-c', editor], shell: true };
}

function launchEditor(path: string): void {
  const { args, shell } = editorArgs();
  const abs = resolve(path);
  const argv = shell ? [...args.slice(0, -1), `${args[args.length - 1]} ${JSON.stringify(abs)}`] : [...args, abs];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  // Go's exec reports ErrNotFound only for a bare name missing from $PATH.
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT' && !argv[0].includes('/')) throw new Error(`unable to launch the editor "${args.join(' ')}"`);
  if (r.error || r.status !== 0) throw new Error(`there was a problem with the editor "${args.join(' ')}"`);
}

/** LaunchTempFile: writes `content` to $TMPDIR/kubectl-edit-<random><ext>, runs the editor, returns what was saved. */
function launchTempFile(content: string, ext: string): { edited: string; file: string } {
  let file = '';
  let fd = -1;
  for (let i = 0; i < 10000 && fd < 0; i++) {
    file = join(tmpdir(), `kubectl-edit-${Math.floor(Math.random() * 4294967296)}${ext}`);
    try { fd = openSync(file, 'wx', 0o600); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
  writeSync(fd, content);
  closeSync(fd);
  launchEditor(file);
  return { edited: readFileSync(file, 'utf8'), file };
}

/** jsonpatch.CreateMergePatch: the RFC 7386 patch from `a` to `b`. */
export function createMergePatch(a: unknown, b: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const am = (a ?? {}) as Record<string, unknown>, bm = (b ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(am)) if (!(k in bm)) out[k] = null;
  for (const k of Object.keys(bm)) {
    const x = am[k], y = bm[k];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const isMap = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
    if (isMap(x) && isMap(y)) {
      const sub = createMergePatch(x, y);
      if (Object.keys(sub).length) out[k] = sub;
    } else out[k] = y;
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) o[k] = sortDeep((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

function resourceString(m: APIResource): string {
  return m.group ? `${m.resource}.${m.group}` : m.resource;
}

interface Results { reasons: EditReason[]; retryable: number; notfound: number; edit: number; file: string }

/** editResults.addError: records a failed PATCH, returns the line kubectl prints for it. */
function addError(r: Results, err: unknown, t: Target): string {
  const rs = resourceString(t.mapping);
  if (err instanceof StatusError && err.status.reason === 'Invalid') {
    r.edit++;
    r.reasons.push({ head: `${rs} "${t.name}" was not valid`, other: (err.status.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`) });
    return `error: ${rs} "${t.name}" is invalid`;
  }
  if (err instanceof StatusError && err.code === 404) {
    r.notfound++;
    return `error: ${rs} "${t.name}" could not be found on the server`;
  }
  r.retryable++;
  return `error: ${rs} "${t.name}" could not be patched: ${err instanceof Error ? err.message : String(err)}`;
}

async function fetchTargets(f: Factory, args: string[], o: EditOptions): Promise<Target[]> {
  if (o.filenames?.length) {
    if (args.length) throw new Error('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    // -f names the objects; the latest version of each is fetched from the server.
    const read = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
    if (read.error) throw read.error;
    const { infos, error } = infosUntilError(await f.restMapper(), read.objects, f.namespace());
    if (error) throw error;
    const out: Target[] = [];
    for (const i of infos) {
      const object = await f.rest().request<ObjectLike>({ path: pathFor(i.mapping, i.namespace, i.name) });
      out.push({ mapping: i.mapping, namespace: i.namespace, name: i.name, object });
    }
    return out;
  }
  if (!args.length) {
    throw new Error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const mapper = await f.restMapper();
  const { namespace } = f.namespace();
  const rest = f.rest();
  const out: Target[] = [];
  for (const v of visitsFromArgs(mapper, args)) {
    const ns = v.mapping.namespaced ? namespace : undefined;
    if (v.name !== undefined) {
      const object = await rest.request<ObjectLike>({ path: pathFor(v.mapping, ns, v.name) });
      out.push({ mapping: v.mapping, namespace: ns, name: v.name, object });
      continue;
    }
    const list = await rest.request<ObjectLike & { items?: ObjectLike[] }>({ path: pathFor(v.mapping, ns), query: { limit: 500 } });
    const kind = String(list.kind ?? '').replace(/List$/, '');
    for (const it of list.items ?? []) {
      out.push({ mapping: v.mapping, namespace: it.metadata?.namespace, name: it.metadata?.name ?? '', object: { apiVersion: list.apiVersion, kind, ...it } });
    }
  }
  return out;
}

/** A copy of the user's file is kept: say where (preservedFile). */
function preserved(f: Factory, err: unknown, file: string): unknown {
  if (file && existsSync(file)) f.io.err(`A copy of your changes has been stored to "${file}"\n`);
  return err;
}

export async function runEdit(f: Factory, args: string[], o: EditOptions): Promise<void> {
  const format = o.output || 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    throw new Error(`unable to match a printer suitable for the output format "${format}", allowed formats are: json,yaml`);
  }
  const targets = await fetchTargets(f, args, o);
  if (!targets.length) throw new Error('edit cancelled, no objects found');
  const { namespace } = f.namespace();
  const originals = targets.map((t) => omitManagedFields(t.object));
  const originalDoc: ObjectLike = originals.length === 1 ? originals[0] : { apiVersion: 'v1', kind: 'List', metadata: {}, items: originals };
  const ext = format === 'json' ? '.json' : '.yaml';
  const addHeader = format !== 'json';

  let results: Results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file: '' };
  let original = '';
  let edited = '';
  let file = '';
  let containsError = false;
  for (;;) {
    let buf = addHeader ? editHeader(results.reasons) : '';
    if (!containsError) {
      const body = format === 'json' ? toJson(originalDoc) : toYaml(originalDoc);
      buf += body;
      original = buf;
    } else {
      buf += manualStrip(edited);
    }
    const previous = edited;
    try {
      ({ edited, file } = launchTempFile(buf, ext));
    } catch (e) {
      throw preserved(f, e, results.file);
    }
    if (containsError && stripComments(previous) === stripComments(edited)) {
      throw preserved(f, new Error('Edit cancelled, no valid changes were saved.'), file);
    }
    if (results.file) rmSync(results.file, { force: true });

    const invalid = validateEdited(manualStrip(edited));
    if (invalid !== undefined) {
      results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file };
      containsError = true;
      const rs = resourceString(targets[0].mapping);
      results.reasons.push({ head: `${rs} "${targets[0].name}" was not valid`, other: [`<nil>: Invalid value: "The edited file failed validation": ${invalid}`] });
      f.io.err(`error: ${rs} "${targets[0].name}" is invalid\n`);
      continue;
    }

    if (stripComments(original) === stripComments(edited)) {
      rmSync(file, { force: true });
      f.io.err('Edit cancelled, no changes made.\n');
      return;
    }
    if (!hasLines(edited)) {
      rmSync(file, { force: true });
      f.io.err('Edit cancelled, saved file was empty.\n');
      return;
    }
    results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file };

    let updated: ObjectLike[];
    try {
      updated = parseManifest(manualStrip(edited), 'edited-file').map((x) => x.object);
    } catch (e) {
      containsError = true;
      const msg = (e as Error).message.replace(/^error parsing edited-file: /, '');
      results.reasons.push({ head: `The edited file had a syntax error: ${msg}`, other: [] });
      continue;
    }
    containsError = false;

    try {
      for (const obj of updated) {
        const idx = originals.findIndex((x) => x.metadata?.uid === obj.metadata?.uid);
        if (idx < 0) throw new Error(`no original object found for ${obj.kind ?? ''} "${obj.metadata?.name ?? ''}"`);
        const t = targets[idx];
        const ns = obj.metadata?.namespace;
        if (t.mapping.namespaced && ns && ns !== namespace && ns !== t.namespace) {
          throw new Error(`the namespace from the provided object "${ns}" does not match the namespace "${namespace}". You must pass '--namespace=${ns}' to perform this operation.`);
        }
        await patchOne(f, t, originals[idx], omitManagedFields(obj), results, o);
      }
    } catch (e) {
      throw preserved(f, e, results.file);
    }

    if (results.retryable > 0) {
      f.io.err(`You can run \`kubectl replace -f ${file}\` to try this update again.\n`);
      throw new ExitError(1);
    }
    if (results.notfound > 0) {
      f.io.err(`The edits you made on deleted resources have been saved to "${file}"\n`);
      throw new ExitError(1);
    }
    if (results.edit === 0) {
      rmSync(file, { force: true });
      return;
    }
    if (results.reasons.length) containsError = true;
  }
}

/**
 * The PATCH for an edit: a two-way strategic merge patch for kinds with patch metadata (built-in
 * kinds), else a JSON merge patch; apiVersion, kind and name must not change.
 */
export function editPatch(kind: string, original: ObjectLike, edited: ObjectLike): { patch: Record<string, unknown>; contentType: string } {
  const changed = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  if (changed(original.apiVersion, edited.apiVersion) || changed(original.kind, edited.kind) || changed(original.metadata?.name, edited.metadata?.name)) {
    throw new Error('At least one of apiVersion, kind and name was changed');
  }
  if (!hasPatchSchema(kind)) return { patch: createMergePatch(original, edited), contentType: 'application/merge-patch+json' };
  try {
    return { patch: createTwoWayMergePatch(kind, original, edited), contentType: 'application/strategic-merge-patch+json' };
  } catch (e) {
    if (e instanceof PreconditionError) throw new Error('At least one of apiVersion, kind and name was changed');
    throw e;
  }
}

/** visitToPatch for one object: skipped when nothing changed, else PATCH and "<kind>/<name> edited". */
async function patchOne(f: Factory, t: Target, original: ObjectLike, edited: ObjectLike, results: Results, o: EditOptions): Promise<void> {
  const output = o.output;
  // -o also picks the printer of the result.
  const print = (obj: ObjectLike, op: string) => f.io.out(output === 'json' || output === 'yaml' ? printGeneric(obj, output) : nameLine(obj, op));
  if (deepEqual(original, edited)) { print(t.object, 'skipped'); return; }
  const { patch, contentType } = editPatch(t.mapping.kind, original, edited);
  if (o.outputPatch) f.io.out(`Patch: ${JSON.stringify(sortDeep(patch))}\n`);
  try {
    const patched = await f.rest().request<ObjectLike>({
      method: 'PATCH', path: pathFor(t.mapping, t.namespace, t.name),
      query: { fieldManager: o.fieldManager || 'kubectl-edit', fieldValidation: 'Strict' }, body: patch, contentType,
    });
    print(patched, 'edited');
  } catch (e) {
    f.io.err(addError(results, e, t) + '\n');
  }
}
