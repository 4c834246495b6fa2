// Manifest parsing: documents, lists, and errors that name the file and the document.
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../src/resource/manifest.ts';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('parseManifest', () => {
  it('reads every document and the items of a List; skips empty documents', () => {
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] });
    const objs = parseManifest(`${cm('a')}---\n---\n${cm('b')}---\n${list}\n`, 'x.yaml');
    expect(objs.map((o) => `${o.object.kind}/${(o.object.metadata as { name: string }).name}`)).toEqual(['ConfigMap/a', 'ConfigMap/b', 'Secret/s']);
  });

  it('names the file for a broken single document, as kubectl does', () => {
    expect(() => parseManifest('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: [\n', 'pod.yaml'))
      .toThrow(/^error parsing pod\.yaml: error converting YAML to JSON: yaml: line \d+: /);
  });

  it('names the file and the document, with the line counted from that document', () => {
    const text = `${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: [\n`;
    let message = '';
    try { parseManifest(text, 'pod.yaml'); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/^error parsing pod\.yaml \(document 2\): error converting YAML to JSON: yaml: line (\d+): /);
    const line = Number(/line (\d+):/.exec(message)![1]);
    expect(line).toBeGreaterThanOrEqual(5);
    expect(line).toBeLessThanOrEqual(6);
  });

  it('refuses documents without kind or apiVersion', () => {
    expect(() => parseManifest('apiVersion: v1\nmetadata: {}\n', 'm.yaml')).toThrow('error validating "m.yaml": error validating data: kind not set');
    expect(() => parseManifest('kind: Pod\n', 'm.yaml')).toThrow('error validating "m.yaml": error validating data: apiVersion not set');
  });
});
