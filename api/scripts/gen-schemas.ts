// Generates api/schemas/definitions.json: JSON Schemas for every kind k8ts serves, derived from the
// `kubernetes-types` declarations (descriptions come from their JSDoc), named as upstream's OpenAPI names
// them (io.k8s.api.core.v1.Pod) and patched by the hand-written overlay in ./schema-overlay.ts.
//
// Run: node api/scripts/gen-schemas.ts   (from /work/main)
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyOverlay } from './schema-overlay.ts';

const require = createRequire(import.meta.url);
const tsj = require('ts-json-schema-generator') as typeof import('ts-json-schema-generator');

const here = dirname(fileURLToPath(import.meta.url));
const typesDir = dirname(require.resolve('kubernetes-types/package.json'));
const outFile = join(here, '..', 'schemas', 'definitions.json');

/** kubernetes-types module (relative to the package) → upstream OpenAPI name prefix. */
const modules: Record<string, string> = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'discovery/v1': 'io.k8s.api.discovery.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  'runtime': 'io.k8s.apimachinery.pkg.runtime',
};

/** The kinds whose schemas we need; everything they reach is kept. */
const roots = [
  'core/v1.Namespace', 'core/v1.Pod', 'core/v1.Node', 'core/v1.Service', 'core/v1.Endpoints', 'core/v1.ConfigMap',
  'core/v1.Secret', 'core/v1.ServiceAccount', 'core/v1.Event', 'core/v1.Binding',
  'apps/v1.Deployment', 'apps/v1.ReplicaSet', 'apps/v1.DaemonSet', 'apps/v1.StatefulSet',
  'batch/v1.Job', 'coordination/v1.Lease', 'discovery/v1.EndpointSlice',
  'policy/v1.Eviction', 'autoscaling/v1.Scale', 'meta/v1.DeleteOptions', 'meta/v1.Status',
];
const listKinds = roots.filter((r) => !/\.(Binding|Eviction|Scale|DeleteOptions|Status)$/.test(r)).map((r) => `${r}List`);

type Schema = Record<string, any>;

/** Names a module exports, and for each imported name the module it comes from. */
function scan(mod: string): { exported: Set<string>; imported: Map<string, string> } {
  const text = readFileSync(join(typesDir, `${mod}.d.ts`), 'utf8');
  const exported = new Set([...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
  const imported = new Map<string, string>();
  for (const m of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";/gm)) {
    const from = join(mod === 'runtime' ? '' : dirname(mod), m[2]).replace(/\\/g, '/');
    for (const n of m[1].split(',').map((s) => s.trim()).filter(Boolean)) imported.set(n, from);
  }
  return { exported, imported };
}

function generate(mod: string): Record<string, Schema> {
  const gen = tsj.createGenerator({
    path: join(typesDir, `${mod}.d.ts`), type: '*', expose: 'export', topRef: true, jsDoc: 'extended',
    additionalProperties: false, skipTypeCheck: true, encodeRefs: false, sortProps: true,
  });
  return (gen.createSchema('*').definitions ?? {}) as Record<string, Schema>;
}

function rewriteRefs(s: unknown, resolve: (name: string) => string): unknown {
  if (Array.isArray(s)) return s.map((x) => rewriteRefs(x, resolve));
  if (s && typeof s === 'object') {
    const out: Schema = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) out[k] = `#/components/schemas/${resolve(v.slice(14))}`;
      else out[k] = rewriteRefs(v, resolve);
    }
    return out;
  }
  return s;
}

const all: Record<string, Schema> = {};
for (const mod of Object.keys(modules)) {
  const { exported, imported } = scan(mod);
  const defs = generate(mod);
  const resolve = (name: string): string => {
    if (exported.has(name)) return `${modules[mod]}.${name}`;
    const from = imported.get(name);
    if (!from || !modules[from]) throw new Error(`${mod}: cannot resolve referenced type ${name}`);
    return `${modules[from]}.${name}`;
  };
  for (const [name, schema] of Object.entries(defs)) {
    if (!exported.has(name)) continue;
    all[`${modules[mod]}.${name}`] = rewriteRefs(schema, resolve) as Schema;
  }
}

// Keep only what the served kinds reach.
const keep: Record<string, Schema> = {};
const visit = (name: string) => {
  if (keep[name]) return;
  const s = all[name];
  if (!s) throw new Error(`missing definition ${name}`);
  keep[name] = s;
  JSON.stringify(s, (k, v) => { if (k === '$ref') visit(String(v).replace('#/components/schemas/', '')); return v; });
};
const fullName = (r: string) => { const i = r.lastIndexOf('.'); return `${modules[r.slice(0, i)]}.${r.slice(i + 1)}`; };
for (const r of [...roots, ...listKinds]) visit(fullName(r));

applyOverlay(keep);

const sorted = Object.fromEntries(Object.keys(keep).sort().map((k) => [k, keep[k]]));
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(sorted, null, 1) + '\n');
console.log(`wrote ${Object.keys(sorted).length} definitions to ${outFile}`);
