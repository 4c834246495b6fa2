// kubectl config set-context | set-cluster | set-credentials | delete-context | rename-context: changes
// written back as clientcmd's ModifyConfig writes a kubeconfig (v1 Config, keys sorted, entries sorted by
// name, empty optional fields dropped, changed stanzas' file paths made relative to the file when inside it).
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, delimiter, dirname, resolve, relative, isAbsolute, sep } from 'node:path';
import { readKubeconfigDocument } from '@k8ts/client/kubeconfig-decode.ts';
import type { Factory } from '../factory.ts';
import { toYaml } from '../printers/yaml.ts';

type Obj = Record<string, unknown>;
interface Named { name: string; [k: string]: unknown }
/** One kubeconfig file, as loaded (unknown fields are dropped on write, as clientcmd does). */
export interface KubeconfigFile {
  'current-context'?: string;
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  preferences?: Obj;
  extensions?: unknown;
}

/** The precedence list and the file new stanzas go to (PathOptions.GetDefaultFilename). */
export function kubeconfigFiles(explicit: string | undefined, env = process.env.KUBECONFIG): { files: string[]; defaultFile: string } {
  if (explicit) return { files: [explicit], defaultFile: explicit };
  const list = (env ?? '').split(delimiter).filter(Boolean);
  if (list.length === 0) { const g = join(homedir(), '.kube', 'config'); return { files: [g], defaultFile: g }; }
  if (list.length === 1) return { files: list, defaultFile: list[0] };
  return { files: list, defaultFile: list.find((p) => existsSync(p)) ?? list[list.length - 1] };
}

export function loadFile(path: string): KubeconfigFile {
  const raw: Obj = existsSync(path) ? readKubeconfigDocument(path) : {};
  const named = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as Named[]).filter((x) => x && typeof x.name === 'string') : []);
  return {
    'current-context': typeof raw['current-context'] === 'string' ? raw['current-context'] : undefined,
    clusters: named('clusters'), users: named('users'), contexts: named('contexts'),
    preferences: (raw.preferences as Obj | undefined) ?? undefined, extensions: raw.extensions,
  };
}

function sorted(o: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? sorted(v as Obj) : v;
  }
  return out;
}

/** Drops the zero values of omitempty fields. */
function compact(o: Obj | undefined, keep: string[] = []): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    if (keep.includes(k)) { out[k] = v ?? ''; continue; }
    if (v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as Obj).length === 0) continue;
    out[k] = v;
  }
  for (const k of keep) if (!(k in out)) out[k] = '';
  return out;
}

/** The file's text as clientcmd.Write produces it. */
export function serialize(c: KubeconfigFile): string {
  const byName = (a: Named, b: Named) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const list = (xs: Named[], key: string, keep: string[]) => (xs.length ? [...xs].sort(byName).map((x) => sorted({ name: x.name, [key]: compact(x[key] as Obj, keep) })) : null);
  const doc: Obj = {
    apiVersion: 'v1',
    clusters: list(c.clusters, 'cluster', ['server']),
    contexts: list(c.contexts, 'context', ['cluster', 'user']),
    'current-context': c['current-context'] ?? '',
    kind: 'Config',
    preferences: sorted(compact(c.preferences)),
    users: list(c.users, 'user', []),
  };
  if (c.extensions) doc.extensions = c.extensions;
  return toYaml(sorted(doc));
}

function save(path: string, c: KubeconfigFile): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, serialize(c));
}

/** clientcmd's relativizePathWithNoBacksteps: a path inside the file's directory becomes relative to it. */
function relativize(p: unknown, file: string): unknown {
  if (typeof p !== 'string' || !p || !isAbsolute(p)) return p;
  const rel = relative(dirname(resolve(file)), p);
  return rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '..' ? p : rel;
}

interface Ctx { f: Factory; out(s: string): void; err(s: string): void }

function filesOf(f: Factory) { return kubeconfigFiles(f.flags.kubeconfig); }

/** The file that defines a stanza (the first in precedence), else the default file. */
function fileDefining(f: Factory, key: 'clusters' | 'users' | 'contexts', name: string): string {
  const { files, defaultFile } = filesOf(f);
  return files.find((p) => loadFile(p)[key].some((x) => x.name === name)) ?? defaultFile;
}

function currentContext(f: Factory): string {
  for (const p of filesOf(f).files) { const c = loadFile(p)['current-context']; if (c) return c; }
  return '';
}

/** Sets one stanza's fields; returns whether it existed. */
function modify(f: Factory, key: 'clusters' | 'users' | 'contexts', inner: string, name: string, change: (o: Obj, file: string) => void): boolean {
  const path = fileDefining(f, key, name);
  const c = loadFile(path);
  let entry = c[key].find((x) => x.name === name);
  const existed = !!entry;
  if (!entry) { entry = { name, [inner]: {} }; c[key].push(entry); }
  const o = { ...((entry[inner] as Obj | undefined) ?? {}) };
  change(o, path);
  entry[inner] = o;
  save(path, c);
  return existed;
}

export interface SetContextOptions { current?: boolean; cluster?: string; user?: string; namespace?: string }

export function runSetContext(x: Ctx, args: string[], o: SetContextOptions): void {
  if (args.length > 1) throw new Error(`Unexpected args: [${args.join(' ')}]`);
  let name = args[0] ?? '';
  if (o.current && name) throw new Error('you cannot specify both a context name and --current');
  if (o.current) {
    name = currentContext(x.f);
    if (!name) throw new Error('no current context is set');
  }
  if (!name) throw new Error('you must specify a non-empty context name or --current');
  const existed = modify(x.f, 'contexts', 'context', name, (ctx) => {
    if (o.cluster !== undefined) ctx.cluster = o.cluster;
    if (o.user !== undefined) ctx.user = o.user;
    if (o.namespace !== undefined) ctx.namespace = o.namespace;
  });
  x.out(`Context "${name}" ${existed ? 'modified' : 'created'}.\n`);
}

export interface SetClusterOptions { server?: string; certificateAuthority?: string; insecureSkipTlsVerify?: boolean; tlsServerName?: string; proxyUrl?: string; embedCerts?: boolean }

export function runSetCluster(x: Ctx, args: string[], o: SetClusterOptions): void {
  if (args.length !== 1) throw new Error(`Unexpected args: [${args.join(' ')}]`);
  const name = args[0];
  if (!name) throw new Error('you must specify a non-empty cluster name');
  if (o.insecureSkipTlsVerify && o.certificateAuthority) throw new Error('you cannot specify a certificate authority and insecure mode at the same time');
  if (o.embedCerts && !o.certificateAuthority) throw new Error('you must specify a --certificate-authority to embed');
  let caData: string | undefined;
  if (o.embedCerts && o.certificateAuthority) {
    try { caData = readFileSync(o.certificateAuthority).toString('base64'); } catch { throw new Error(`could not read certificate-authority data from ${o.certificateAuthority}: open ${o.certificateAuthority}: no such file or directory`); }
  }
  modify(x.f, 'clusters', 'cluster', name, (cl, file) => {
    if (o.server !== undefined) cl.server = o.server;
    if (o.tlsServerName !== undefined) cl['tls-server-name'] = o.tlsServerName;
    if (o.insecureSkipTlsVerify !== undefined) {
      cl['insecure-skip-tls-verify'] = o.insecureSkipTlsVerify;
      if (o.insecureSkipTlsVerify) { delete cl['certificate-authority']; delete cl['certificate-authority-data']; }
    }
    if (o.certificateAuthority !== undefined) {
      if (caData !== undefined) {
        cl['certificate-authority-data'] = caData; cl['insecure-skip-tls-verify'] = false; delete cl['certificate-authority'];
      } else {
        const ca = o.certificateAuthority ? resolve(o.certificateAuthority) : '';
        cl['certificate-authority'] = ca;
        if (ca) { cl['insecure-skip-tls-verify'] = false; delete cl['certificate-authority-data']; }
      }
    }
    if (o.proxyUrl !== undefined) cl['proxy-url'] = o.proxyUrl;
    cl['certificate-authority'] = relativize(cl['certificate-authority'], file);
  });
  x.out(`Cluster "${name}" set.\n`);
}

export interface SetCredentialsOptions { token?: string; username?: string; password?: string; clientCertificate?: string; clientKey?: string; embedCerts?: boolean }

export function runSetCredentials(x: Ctx, args: string[], o: SetCredentialsOptions): void {
  if (args.length !== 1) throw new Error(`unexpected args: [${args.join(' ')}]`);
  const name = args[0];
  if (!name) throw new Error('you must specify a non-empty user name');
  const methods: string[] = [];
  if (o.token !== undefined && o.token !== '') methods.push('--token');
  if ((o.username ?? '') !== '' || (o.password ?? '') !== '') methods.push('--username/--password');
  if (methods.length > 1) throw new Error(`you cannot specify more than one authentication method at the same time: ${methods.join(', ')}`);
  if (o.embedCerts && !o.clientCertificate && !o.clientKey) throw new Error('you must specify a --client-certificate or --client-key to embed');
  const read = (p: string, what: string) => {
    try { return readFileSync(p).toString('base64'); } catch { throw new Error(`error reading ${what} data from ${p}: open ${p}: no such file or directory`); }
  };
  const certData = o.embedCerts && o.clientCertificate ? read(o.clientCertificate, 'client-certificate') : undefined;
  const keyData = o.embedCerts && o.clientKey ? read(o.clientKey, 'client-key') : undefined;
  modify(x.f, 'users', 'user', name, (u, file) => {
    for (const [flag, field, data] of [[o.clientCertificate, 'client-certificate', certData], [o.clientKey, 'client-key', keyData]] as const) {
      if (flag === undefined) continue;
      if (data !== undefined) { u[`${field}-data`] = data; delete u[field]; continue; }
      const p = flag ? resolve(flag) : '';
      u[field] = p;
      if (p) delete u[`${field}-data`];
    }
    let setToken = false, setBasic = false;
    if (o.token !== undefined) { u.token = o.token; setToken = o.token !== ''; }
    if (o.username !== undefined) { u.username = o.username; setBasic = o.username !== ''; }
    if (o.password !== undefined) { u.password = o.password; setBasic = setBasic || o.password !== ''; }
    if (setToken || setBasic) {
      if (!setToken) delete u.token;
      if (!setBasic) { delete u.username; delete u.password; }
    }
    u['client-certificate'] = relativize(u['client-certificate'], file);
    u['client-key'] = relativize(u['client-key'], file);
  });
  x.out(`User "${name}" set.\n`);
}

export function runDeleteContext(x: Ctx, args: string[]): void {
  if (args.length !== 1) throw new Error(`unexpected args: [${args.join(' ')}]`);
  const name = args[0];
  const path = fileDefining(x.f, 'contexts', name);
  const c = loadFile(path);
  if (!c.contexts.some((y) => y.name === name)) throw new Error(`cannot delete context ${name}, not in ${path}`);
  if (currentContext(x.f) === name) x.err('warning: this removed your active context, use "kubectl config use-context" to select a different one\n');
  c.contexts = c.contexts.filter((y) => y.name !== name);
  save(path, c);
  x.out(`deleted context ${name} from ${path}\n`);
}

export function runRenameContext(x: Ctx, args: string[]): void {
  if (args.length !== 2) throw new Error('Unexpected args: ' + `[${args.join(' ')}]`);
  const [from, to] = args;
  const path = fileDefining(x.f, 'contexts', from);
  const c = loadFile(path);
  const entry = c.contexts.find((y) => y.name === from);
  if (!entry) throw new Error(`cannot rename the context "${from}", it's not in ${path}`);
  if (c.contexts.some((y) => y.name === to)) throw new Error(`cannot rename the context "${from}", the context "${to}" already exists in ${path}`);
  entry.name = to;
  if (c['current-context'] === from) c['current-context'] = to;
  save(path, c);
  x.out(`Context "${from}" renamed to "${to}".\n`);
}
