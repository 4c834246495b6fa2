// Reading manifests the way the resource builder's FilenameParam does: files, directories, "-" (stdin),
// multi-document YAML or JSON, List objects flattened; each object remembers its source.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubeYamlOptions, yamlDocumentToJson } from '@k8ts/api/yaml.ts';
import type { ObjectLike } from '../printers/index.ts';

export interface ManifestObject {
  object: ObjectLike;
  /** The file name as given, or "STDIN". */
  source: string;
  /** 0-based index of the YAML document within its source. */
  document: number;
}

const manifestExtensions = new Set(['.json', '.yaml', '.yml']);

function filesOf(path: string, recursive: boolean): string[] {
  let st;
  try { st = statSync(path); } catch {
    throw new Error(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    const s = statSync(p);
    if (s.isDirectory()) { if (recursive) out.push(...filesOf(p, true).filter((f) => manifestExtensions.has(extname(f)))); continue; }
    if (manifestExtensions.has(extname(name))) out.push(p);
  }
  return out;
}

/** Parses one manifest text into objects (documents that are empty or null are skipped). */
export function parseManifest(text: string, source: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  const docs = parseAllDocuments(text, { ...kubeYamlOptions, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    // In a file of several documents, errors name the document, as kubectl reads each document on its own.
    const where = list.length > 1 ? `${source} (document ${i + 1})` : source;
    if (doc.errors.length) {
      const e = doc.errors[0];
      let line = e.linePos?.[0]?.line;
      // There, lines count from the document's start (the line after its `---`).
      if (list.length > 1) {
        const start = doc.range[0];
        const first = text.slice(0, start).split('\n').length + (text.startsWith('---', start) ? 1 : 0);
        if (line) line = line - first + 1;
      }
      throw new Error(`error parsing ${where}: error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    let v: unknown;
    try { v = yamlDocumentToJson(doc, { maxAliasCount: 100 }); } catch (e) {
      throw new Error(`error parsing ${where}: error converting YAML to JSON: ${(e as Error).message}`);
    }
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw new Error(`error validating "${source}": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false`);
    }
    const obj = v as ObjectLike;
    if (!obj.kind) {
      throw new Error(`error validating "${source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false`);
    }
    if (!obj.apiVersion) {
      throw new Error(`error validating "${source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false`);
    }
    if (Array.isArray(obj.items) && /List$/.test(obj.kind)) {
      for (const it of obj.items as ObjectLike[]) out.push({ object: it, source, document: i });
      return;
    }
    out.push({ object: obj, source, document: i });
  });
  return out;
}

/**
 * Reads every -f argument in order. As the builder's stream, reading stops at the first bad
 * document: the objects before it are returned together with the error.
 */
export function readManifests(filenames: string[], recursive: boolean, readStdin: () => string): { objects: ManifestObject[]; error?: Error } {
  const out: ManifestObject[] = [];
  try {
    for (const f of filenames) {
      if (f === '-') { out.push(...parseManifestPrefix(readStdin(), 'STDIN', out)); continue; }
      for (const file of filesOf(f, recursive)) out.push(...parseManifestPrefix(readFileSync(file, 'utf8'), file, out));
    }
  } catch (e) {
    return { objects: out, error: e as Error };
  }
  return { objects: out };
}

/** parseManifest, but on a bad document the good ones before it are kept (pushed to `sink`) first. */
function parseManifestPrefix(text: string, source: string, sink: ManifestObject[]): ManifestObject[] {
  try {
    return parseManifest(text, source);
  } catch (e) {
    const docs = text.split(/^---[ \t]*$/m);
    for (let n = docs.length - 1; n > 0; n--) {
      try { sink.push(...parseManifest(docs.slice(0, n).join('---\n'), source)); break; } catch { /* fewer documents */ }
    }
    throw e;
  }
}
