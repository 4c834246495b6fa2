// kubectl config view | get-contexts | current-context | use-context, on the kubeconfig files themselves.
import { writeFileSync, existsSync } from 'node:fs';
import { readKubeconfigDocument } from '@k8ts/client/kubeconfig-decode.ts';
import { kubeconfigFiles } from './config-write.ts';
import type { Factory } from '../factory.ts';
import { toYaml } from '../printers/yaml.ts';
import { toOrderedJson } from '../printers/json.ts';
import { printJsonPath } from '../printers/jsonpath.ts';
import { formatTabs } from '../printers/tabwriter.ts';

interface Named { name: string; [k: string]: unknown }
interface RawConfig {
  'current-context'?: string;
  clusters?: Named[] | null;
  users?: Named[] | null;
  contexts?: Named[] | null;
  preferences?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The kubeconfig files in precedence order (--kubeconfig, KUBECONFIG, ~/.kube/config). */
function configFiles(f: Factory): string[] {
  return kubeconfigFiles(f.flags.kubeconfig).files;
}

function readRaw(path: string): RawConfig {
  if (!existsSync(path)) return {};
  return readKubeconfigDocument(path) as RawConfig;
}

/** Merged as clientcmd does: the first file to define a name (or current-context) wins. */
function merged(f: Factory): RawConfig {
  if (f.flags.kubeconfig && !existsSync(f.flags.kubeconfig)) throw new Error(`stat ${f.flags.kubeconfig}: no such file or directory`);
  const out: RawConfig = { clusters: [], users: [], contexts: [] };
  for (const file of configFiles(f)) {
    const c = readRaw(file);
    if (!out['current-context'] && c['current-context']) out['current-context'] = c['current-context'];
    for (const k of ['clusters', 'users', 'contexts'] as const) {
      for (const x of c[k] ?? []) if (!out[k]!.some((y) => y.name === x.name)) out[k]!.push(x);
    }
  }
  return out;
}

const clusterFields = ['server', 'tls-server-name', 'insecure-skip-tls-verify', 'certificate-authority', 'certificate-authority-data', 'proxy-url', 'disable-compression', 'extensions'];
const userFields = ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'as', 'as-uid', 'as-groups', 'as-user-extra', 'username', 'password', 'auth-provider', 'exec', 'extensions'];
const contextFields = ['cluster', 'user', 'namespace', 'extensions'];

function pick(o: Record<string, unknown> | undefined, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of fields) {
    const v = o?.[k];
    if (v === undefined || v === null || v === '' || v === false) continue;
    out[k] = v;
  }
  return out;
}

function byName(a: Named, b: Named): number { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }

/** The v1 Config as `config view` prints it: known fields only, in the Go struct's field order, names sorted. */
function viewConfig(c: RawConfig, raw: boolean): Record<string, unknown> {
  const list = <T>(xs: Named[] | null | undefined, f: (x: Named) => T): T[] | null => (xs && xs.length ? [...xs].sort(byName).map(f) : null);
  return {
    kind: 'Config',
    apiVersion: 'v1',
    preferences: {},
    clusters: list(c.clusters, (x) => {
      const src = (x.cluster ?? {}) as Record<string, unknown>;
      const cl: Record<string, unknown> = { server: src.server ?? '', ...pick(src, clusterFields.slice(1)) };
      if (!raw && cl['certificate-authority-data']) cl['certificate-authority-data'] = 'DATA+OMITTED';
      return { name: x.name, cluster: cl };
    }),
    users: list(c.users, (x) => {
      const u = pick(x.user as Record<string, unknown>, userFields);
      if (!raw) {
        for (const k of ['client-certificate-data', 'client-key-data']) if (u[k]) u[k] = 'DATA+OMITTED';
        for (const k of ['token', 'password']) if (u[k]) u[k] = 'REDACTED';
      }
      return { name: x.name, user: u };
    }),
    contexts: list(c.contexts, (x) => {
      const src = (x.context ?? {}) as Record<string, unknown>;
      return { name: x.name, context: { cluster: src.cluster ?? '', user: src.user ?? '', ...pick(src, contextFields.slice(2)) } };
    }),
    'current-context': c['current-context'] ?? '',
  };
}

export function runConfigView(f: Factory, o: { raw?: boolean; minify?: boolean; output?: string }): void {
  let c = merged(f);
  const current = f.flags.context ?? c['current-context'];
  if (o.minify) {
    if (!current) throw new Error('current-context must exist in order to minify');
    const ctx = c.contexts?.find((x) => x.name === current);
    if (!ctx) throw new Error(`cannot locate context ${current}`);
    const cc = ctx.context as { cluster?: string; user?: string } | undefined;
    c = {
      'current-context': current,
      contexts: [ctx],
      clusters: (c.clusters ?? []).filter((x) => x.name === cc?.cluster),
      users: (c.users ?? []).filter((x) => x.name === cc?.user),
    };
  }
  const doc = viewConfig(c, !!o.raw);
  const out = (o.output || 'yaml').replace(/^=/, '');
  const jsonpath = /^jsonpath=(.*)$/s.exec(out);
  if (out === 'yaml') f.io.out(toYaml(doc));
  else if (out === 'json') f.io.out(toOrderedJson(doc));
  else if (out === 'name') f.io.out('config/<unknown>\n');
  else if (jsonpath?.[1]) f.io.out(printJsonPath(jsonpath[1], doc));
  else if (jsonpath) throw new Error('template format specified but no template given');
  else throw new Error(`unable to match a printer suitable for the output format "${out}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`);
}

export function runCurrentContext(f: Factory): void {
  const c = merged(f);
  if (!c['current-context']) throw new Error('current-context is not set');
  f.io.out(`${c['current-context']}\n`);
}

export function runGetContexts(f: Factory, names: string[], o: { output?: string; noHeaders?: boolean }): void {
  const c = merged(f);
  const contexts = [...(c.contexts ?? [])].sort(byName);
  const out = (o.output ?? '').replace(/^=/, '');
  if (out && out !== 'name') throw new Error(`output must be one of '' or 'name': ${out}`);
  const missing = names.filter((n) => !contexts.some((x) => x.name === n));
  const shown = names.length ? contexts.filter((x) => names.includes(x.name)) : contexts;
  if (out === 'name') {
    f.io.out(shown.map((x) => `${x.name}\n`).join(''));
  } else {
    let s = o.noHeaders ? '' : 'CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n';
    for (const x of shown) {
      const ctx = (x.context ?? {}) as { cluster?: string; user?: string; namespace?: string };
      s += `${x.name === c['current-context'] ? '*' : ''}\t${x.name}\t${ctx.cluster ?? ''}\t${ctx.user ?? ''}\t${ctx.namespace ?? ''}\n`;
    }
    f.io.out(formatTabs(s));
  }
  if (missing.length) throw new Error(`context ${missing[0]} not found`);
}

export function runUseContext(f: Factory, name: string): void {
  const c = merged(f);
  if (!c.contexts?.some((x) => x.name === name)) throw new Error(`no context exists with the name: "${name}"`);
  // Written to the first file (the one --kubeconfig names, or the first KUBECONFIG entry).
  const files = configFiles(f);
  const target = files.find((p) => readRaw(p)['current-context'] !== undefined) ?? files[0];
  const raw = readRaw(target);
  raw['current-context'] = name;
  writeFileSync(target, toYaml(raw));
  f.io.out(`Switched to context "${name}".\n`);
}
