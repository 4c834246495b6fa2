// Pure printers: the tabwriter, go-yaml style YAML, Go-style JSON, JSONPath and error texts.
import { describe, it, expect } from 'vitest';
import { formatTabs } from '../src/printers/tabwriter.ts';
import { toYaml, goYamlKeyLess, resolvesToNonString } from '../src/printers/yaml.ts';
import { toJson, toCompactJson } from '../src/printers/json.ts';
import { printJsonPath } from '../src/printers/jsonpath.ts';
import { decorateTable, tableLines } from '../src/printers/table.ts';
import { omitManagedFields, nameLine } from '../src/printers/index.ts';
import { formatError, AggregateError, NoResourceMatchError } from '../src/errors.ts';
import { statusError } from '@k8ts/api/status.ts';

describe('tabwriter', () => {
  it('pads terminated cells to max(minwidth, width+3) and leaves the last cell alone', () => {
    expect(formatTabs('NAME\tAGE\nnginx\t5s\n')).toBe('NAME    AGE\nnginx   5s\n');
    expect(formatTabs('a\tb\n')).toBe('a     b\n');
  });
  it('aligns per column block: a line without the column ends the block', () => {
    const s = formatTabs('Name:\tx\nLonger name:\ty\nBreak\nA:\tz\n', { minWidth: 0, padding: 2 });
    expect(s).toBe('Name:         x\nLonger name:  y\nBreak\nA:  z\n');
  });
});

describe('yaml', () => {
  it('sorts keys as go-yaml does (numbers inside keys compare numerically)', () => {
    expect(['a10', 'a9', 'b', 'B', 'a1'].sort((x, y) => (goYamlKeyLess(x, y) ? -1 : 1))).toEqual(['B', 'a1', 'a9', 'a10', 'b']);
  });
  it('quotes what would not read back as a string', () => {
    for (const s of ['yes', 'on', '123', '1.5', '0x1F', '2024-01-01', '', 'null', '~']) expect(resolvesToNonString(s), s).toBe(true);
    for (const s of ['nginx', 'a:b', 'v1.2.3']) expect(resolvesToNonString(s), s).toBe(false);
    expect(toYaml({ a: 'yes', b: '', c: '*', d: 'a: b', e: 'x\ny\n', f: 'x\ny', g: [], h: {}, i: [{ j: 1, k: null }] }))
      .toBe("a: \"yes\"\nb: \"\"\nc: '*'\nd: 'a: b'\ne: |\n  x\n  y\nf: |-\n  x\n  y\ng: []\nh: {}\ni:\n- j: 1\n  k: null\n");
  });
  it('folds long plain strings past 80 columns', () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const out = toYaml({ k: long });
    expect(out.split('\n').length).toBeGreaterThan(2);
    expect(out.split('\n')[1].startsWith('  word')).toBe(true);
  });
});

describe('generic printers', () => {
  it('drop managedFields unless asked and name objects by group kind', () => {
    const o = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', managedFields: [{ manager: 'x' }] } };
    expect(omitManagedFields(o).metadata).toEqual({ name: 'web' });
    expect(nameLine(o, 'created')).toBe('deployment.apps/web created\n');
  });
});

describe('json', () => {
  it('indents by four spaces, sorts keys and escapes HTML like Go', () => {
    expect(toJson({ b: 1, a: '<&>' })).toBe('{\n    "a": "\\u003c\\u0026\\u003e",\n    "b": 1\n}\n');
    expect(toCompactJson({ z: [], a: { y: true } })).toBe('{"a":{"y":true},"z":[]}');
  });
});

describe('jsonpath', () => {
  const pod = { metadata: { name: 'p', labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'x', image: 'i1' }, { name: 'y', image: 'i2' }] } };
  it('prints strings raw, objects as JSON, several results space-separated', () => {
    expect(printJsonPath('{.metadata.name}', pod)).toBe('p');
    expect(printJsonPath('{.metadata.labels}', pod)).toBe('{"a":"1","b":"2"}');
    expect(printJsonPath('{.spec.containers[*].image}', pod)).toBe('i1 i2');
    expect(printJsonPath('{range .spec.containers[*]}{.name}={.image}{"\\n"}{end}', pod)).toBe('x=i1\ny=i2\n');
    expect(printJsonPath('{.spec.containers[?(@.name=="y")].image}', pod)).toBe('i2');
    expect(printJsonPath('{.spec.containers[-1:].name}', pod)).toBe('y');
  });
});

describe('tables', () => {
  it('adds NAMESPACE, kind prefixes and LABELS', () => {
    const t = {
      columnDefinitions: [{ name: 'Name', type: 'string', format: 'name' }, { name: 'IP', type: 'string', priority: 1 }],
      rows: [{ cells: ['web', '10.0.0.1'], object: { metadata: { namespace: 'ns', labels: { b: '1', a: '2' } } } }],
    };
    const d = decorateTable(t, { withNamespace: true, kind: 'deployment.apps', showLabels: true });
    expect(tableLines(d, {})).toBe('NAMESPACE\tNAME\tLABELS\nns\tdeployment.apps/web\ta=2,b=1\n');
    expect(tableLines(d, { wide: true })).toBe('NAMESPACE\tNAME\tIP\tLABELS\nns\tdeployment.apps/web\t10.0.0.1\ta=2,b=1\n');
  });
});

describe('errors', () => {
  it('formats server errors, invalid objects and aggregates as CheckErr does', () => {
    expect(formatError(statusError(404, 'NotFound', 'pods "x" not found')).message).toBe('Error from server (NotFound): pods "x" not found');
    const invalid = statusError(422, 'Invalid', 'x', { kind: 'Pod', name: 'bad', causes: [{ field: 'spec.containers', message: 'Required value' }, { field: 'metadata.name', message: 'Invalid value' }] });
    expect(formatError(invalid).message).toBe('The Pod "bad" is invalid: \n* spec.containers: Required value\n* metadata.name: Invalid value\n');
    expect(formatError(new NoResourceMatchError('foo')).message).toBe('error: the server doesn\'t have a resource type "foo"');
    expect(formatError(new AggregateError([statusError(404, 'NotFound', 'a'), new Error('b')])).message).toBe('Error from server (NotFound): a\nb\n');
  });
});
