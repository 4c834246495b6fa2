// Decoding a kubeconfig file as client-go's clientcmd does: YAML to JSON with go-yaml v2's resolution of plain scalars
// (`insecure-skip-tls-verify: no` is false, not the string "no"), then into the typed v1.Config, where a value of the
// wrong type fails the whole file with encoding/json's message.
import { readFileSync } from 'node:fs';
import { load, CORE_SCHEMA, NOT_RESOLVED, YAMLException, defineScalarTag, mergeTag } from 'js-yaml'; // a fifth of `yaml`'s load time, on every kubectl start
import { resolvePlainScalar } from '@k8ts/api/yaml.ts';

// go-yaml v2's null, bool, int and float in place of YAML 1.2's core ones.
const goYamlSchema = CORE_SCHEMA.withTags(mergeTag, ...(['null', 'bool', 'int', 'float'] as const).map((tag) => defineScalarTag(`tag:yaml.org,2002:${tag}`, {
  implicit: true,
  implicitFirstChars: null,
  resolve: (source: string) => {
    const r = resolvePlainScalar(source);
    return r?.tag === tag ? r.value : NOT_RESOLVED;
  },
  identify: () => false,
})));

/** A Go type of v1.Config, as encoding/json names it in its errors. */
type GoType =
  | { name: 'string' | 'bool' | '[]uint8' }
  | { name: string; slice: GoType }
  | { name: string; fields: Record<string, GoType> };

const str: GoType = { name: 'string' };
const bool: GoType = { name: 'bool' };
const bytes: GoType = { name: '[]uint8' };
const strings: GoType = { name: '[]string', slice: str };
const struct = (name: string, fields: Record<string, GoType>): GoType => ({ name, fields });
const named = (name: string, field: string, of: GoType): GoType => ({ name: `[]v1.${name}`, slice: struct(name, { name: str, [field]: of }) });

const execConfig = struct('ExecConfig', {
  command: str, args: strings, apiVersion: str, installHint: str, provideClusterInfo: bool, interactiveMode: str,
  env: { name: '[]v1.ExecEnvVar', slice: struct('ExecEnvVar', { name: str, value: str }) },
});
const config = struct('Config', {
  kind: str, apiVersion: str, 'current-context': str,
  clusters: named('NamedCluster', 'cluster', struct('Cluster', {
    server: str, 'tls-server-name': str, 'insecure-skip-tls-verify': bool, 'certificate-authority': str,
    'certificate-authority-data': bytes, 'proxy-url': str, 'disable-compression': bool,
  })),
  users: named('NamedAuthInfo', 'user', struct('AuthInfo', {
    'client-certificate': str, 'client-certificate-data': bytes, 'client-key': str, 'client-key-data': bytes,
    token: str, tokenFile: str, as: str, 'as-uid': str, 'as-groups': strings, username: str, password: str, exec: execConfig,
  })),
  contexts: named('NamedContext', 'context', struct('Context', { cluster: str, user: str, namespace: str })),
});
// encoding/json names a struct type with its package.
const typeName = (t: GoType) => ('fields' in t ? `v1.${t.name}` : t.name);

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** encoding/json's UnmarshalTypeError for the first value of the wrong type, as a message; undefined when all fit. */
function typeError(v: unknown, t: GoType, struct: string, path: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  const fits = t.name === 'bool' ? typeof v === 'boolean'
    : t.name === 'string' || t.name === '[]uint8' ? typeof v === 'string'
      : 'slice' in t ? Array.isArray(v) : typeof v === 'object' && !Array.isArray(v);
  if (!fits) {
    const into = struct ? `Go struct field ${struct}.${path}` : 'Go value';
    return `json: cannot unmarshal ${jsonKind(v)} into ${into} of type ${typeName(t)}`;
  }
  if ('slice' in t) {
    for (const x of v as unknown[]) {
      const e = typeError(x, t.slice, struct, path);
      if (e) return e;
    }
  } else if ('fields' in t) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const f = t.fields[k];
      const e = f && typeError(x, f, t.name, struct ? `${path}.${k}` : k);
      if (e) return e;
    }
  }
  return undefined;
}

/** The v1.Config in a kubeconfig's text, checked against its Go types; throws with client-go's message. */
export function decodeKubeconfig(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = load(text, { schema: goYamlSchema });
  } catch (e) {
    if (e instanceof YAMLException) throw new Error(`yaml: line ${(e.mark?.line ?? 0) + 1}: ${e.reason}`);
    throw e;
  }
  if (doc === null || doc === undefined) return {};
  const err = typeError(doc, config, '', '');
  if (err) throw new Error(err);
  return doc as Record<string, unknown>;
}

/** decodeKubeconfig on a file, its errors prefixed as clientcmd's: `error loading config file "PATH": ...`. */
export function readKubeconfigDocument(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  try {
    return decodeKubeconfig(text);
  } catch (e) {
    throw new Error(`error loading config file "${path}": ${(e as Error).message}`);
  }
}
