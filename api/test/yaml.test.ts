// YAML read as kubectl and the API server read it: go-yaml v2's resolution of plain scalars (sigs.k8s.io/yaml).
import { describe, it, expect } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { kubeYamlOptions, resolvePlainScalar, yamlDocumentToJson } from '../src/yaml.ts';

const toJson = (text: string) => yamlDocumentToJson(parseDocument(text, kubeYamlOptions));

describe('resolvePlainScalar (go-yaml v2)', () => {
  it.each([
    ['yes', true], ['Yes', true], ['YES', true], ['y', true], ['Y', true], ['on', true], ['ON', true], ['True', true],
    ['no', false], ['N', false], ['off', false], ['Off', false], ['FALSE', false],
    ['~', null], ['null', null], ['Null', null], ['', null],
    ['0644', 420], ['0o17', 15], ['0O17', 15], ['0x1F', 31], ['0X1f', 31], ['-0x1F', -31], ['0b101', 5], ['0B11', 3],
    ['1_000', 1000], ['1_', 1], ['0x_1F', 31], ['+12', 12], ['-7', -7], ['0', 0], ['00', 0],
    ['08', 8], ['09.5', 9.5], ['1e3', 1000], ['1E+3', 1000], ['1.', 1], ['.5', 0.5], ['-.5', -0.5], ['1.5e-1', 0.15],
    ['18446744073709551615', 18446744073709551615],
  ])('%j → %j', (s, v) => {
    expect(resolvePlainScalar(s)?.value).toBe(v);
  });

  it.each(['yEs', 'tRue', 'nil', 'none', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '190:20:30', '1:20', '0x', '0b2', '0o8',
    '_1', '.', '1.2.3', '1e', 'e3', '0xG', '1,000', '12abc', '+', '-', '.5.', '.infinity', 'inf', 'NaN', '0x1p-2'])('%j stays a string', (s) => {
    expect(resolvePlainScalar(s)).toBeUndefined();
  });

  it('keeps quoted and block scalars as strings', () => {
    expect(toJson('a: "yes"\nb: \'0644\'\nc: |\n  on\nd: >-\n  0x1F\n')).toEqual({ a: 'yes', b: '0644', c: 'on\n', d: '0x1F' });
  });
});

describe('kubeYamlOptions', () => {
  it('reads a manifest as kubectl does: octal modes, YAML 1.1 booleans, timestamps and base-60 numbers as strings', () => {
    const text = `spec:
  volumes:
  - configMap:
      defaultMode: 0644
      optional: yes
  stamp: 2001-12-14
  time: 2001-12-14 21:59:43.10 -5
  sexagesimal: 190:20:30
  big: 1_000_000
  empty:
  tilde: ~
`;
    expect(toJson(text)).toEqual({ spec: { volumes: [{ configMap: { defaultMode: 420, optional: true } }], stamp: '2001-12-14', time: '2001-12-14 21:59:43.10 -5', sexagesimal: '190:20:30', big: 1000000, empty: null, tilde: null } });
  });

  it('resolves map keys the same way, and merges maps with <<', () => {
    expect(toJson('base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\non: 1\n')).toEqual({ base: { a: 1, b: 2 }, m: { a: 1, b: 3 }, true: 1 });
  });

  it('honours explicit tags: !!str keeps the text, !!int reads it', () => {
    expect(toJson('a: !!str 0644\nb: !!int "0644"\nc: !!str yes\n')).toEqual({ a: '0644', b: 420, c: 'yes' });
  });

  it('refuses what JSON cannot hold, with encoding/json\'s message', () => {
    expect(() => toJson('a: .inf\n')).toThrow('json: unsupported value: +Inf');
    expect(() => toJson('a: [-.Inf]\n')).toThrow('json: unsupported value: -Inf');
    expect(() => toJson('a: {b: .nan}\n')).toThrow('json: unsupported value: NaN');
  });

  it('reads every document of a stream', () => {
    const docs = parseAllDocuments('a: on\n---\nb: 010\n', kubeYamlOptions);
    expect(Array.isArray(docs) && docs.map((d) => yamlDocumentToJson(d))).toEqual([{ a: true }, { b: 8 }]);
  });
});
