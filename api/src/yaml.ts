// YAML read as Kubernetes reads it. kubectl and the API server turn YAML into JSON with sigs.k8s.io/yaml, which
// resolves plain scalars as go-yaml v2 does (YAML 1.1): yes/no/on/off/y/n are booleans, 0644 is octal, 0x/0o/0b
// prefixes and underscores make integers, `<<` merges maps. Timestamps and base-60 numbers stay strings, and
// infinities and NaN cannot become JSON.
import type { CollectionTag, ParseOptions, DocumentOptions, SchemaOptions, ScalarTag, ToJSOptions, Document } from 'yaml';

type Resolved = { tag: 'null' | 'bool' | 'int' | 'float'; value: unknown };

const words = new Map<string, Resolved>();
for (const [tag, value, list] of [
  ['bool', true, 'y Y yes Yes YES true True TRUE on On ON'],
  ['bool', false, 'n N no No NO false False FALSE off Off OFF'],
  ['null', null, '~ null Null NULL'],
  ['float', NaN, '.nan .NaN .NAN'],
  ['float', Infinity, '.inf .Inf .INF +.inf +.Inf +.INF'],
  ['float', -Infinity, '-.inf -.Inf -.INF'],
] as const) for (const w of list.split(' ')) words.set(w, { tag, value });
words.set('', { tag: 'null', value: null });

// What Go's strconv.ParseInt(s, 0, 64) and ParseUint accept (a sign, then a 0x, 0o, 0b or 0 prefix, or decimal).
const goInt = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/;
// go-yaml v2's yamlStyleFloat.
const goFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** How go-yaml v2 resolves a plain (unquoted, untagged) scalar, or undefined for a string. */
export function resolvePlainScalar(s: string): Resolved | undefined {
  const w = words.get(s);
  if (w) return w;
  const c = s[0];
  if (c === '.') {
    const f = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : NaN;
    return Number.isNaN(f) ? undefined : { tag: 'float', value: f };
  }
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9'))) return undefined;
  // (go-yaml's timestamps, 2001-12-14 and the like, become strings again on the way to JSON: none matches below.)
  const plain = s.replaceAll('_', '');
  const m = goInt.exec(plain);
  if (m) {
    const [, sign, hex, oct, bin, dec] = m;
    const digits = hex ?? oct ?? bin ?? dec;
    const radix = hex !== undefined ? 16 : oct !== undefined ? 8 : bin !== undefined ? 2 : 10;
    const n = parseInt(digits, radix) * (sign === '-' ? -1 : 1);
    // Beyond uint64 (or int64 when negative) Go falls through to a float.
    if (n <= 18446744073709551615 && n >= -9223372036854775808) return { tag: 'int', value: n };
  }
  if (goFloat.test(plain)) return { tag: 'float', value: Number(plain) };
  return undefined;
}

function scalarTag(tag: Resolved['tag']): ScalarTag {
  return {
    tag: `tag:yaml.org,2002:${tag}`,
    default: true,
    // The yaml library asks a tag's `test` whether a plain scalar is its; go-yaml's rules are code, not one regex.
    test: { test: (s: string) => resolvePlainScalar(s)?.tag === tag } as RegExp,
    resolve: (s: string) => { const r = resolvePlainScalar(s); return r ? r.value : s; },
  };
}

const goScalars = [scalarTag('null'), scalarTag('bool'), scalarTag('int'), scalarTag('float')];

/** Options for the yaml library's parse and parseAllDocuments that read YAML as go-yaml v2 does. */
export const kubeYamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  // Maps and sequences as in YAML 1.1 (no !!set, !!omap or !!pairs), and go-yaml's scalars in place of the library's.
  customTags: (tags) => [...tags.filter((t) => (t as CollectionTag).collection === 'map' || (t as CollectionTag).collection === 'seq' || (t as ScalarTag).tag === 'tag:yaml.org,2002:str'), ...goScalars],
};

/** The JSON value of a parsed YAML document; like Go's encoding/json, it refuses infinities and NaN. */
export function yamlDocumentToJson(doc: Document.Parsed, options?: ToJSOptions): unknown {
  const v = doc.toJS(options) as unknown;
  checkJsonable(v);
  return v;
}

function checkJsonable(v: unknown): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
  if (Array.isArray(v)) for (const x of v) checkJsonable(x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) checkJsonable(x);
}
