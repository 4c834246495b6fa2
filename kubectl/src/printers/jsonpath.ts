// A JSONPath template printer covering what kubectl's (client-go util/jsonpath) is used for:
// literal text, {.a.b}, {['k']}, [n], [-n], [*], [a:b], ..name, [?(@.x=="v")], {range ...}{end}, {"\n"}.
import { toCompactJson } from './json.ts';

type Node =
  | { type: 'text'; text: string }
  | { type: 'path'; steps: Step[] }
  | { type: 'literal'; text: string }
  | { type: 'range'; steps: Step[]; body: Node[] };

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string }
  | { kind: 'index'; start?: number; end?: number; single: boolean }
  | { kind: 'filter'; path: Step[]; op: string; value: unknown };

export class JSONPathError extends Error {}

function parseSteps(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      i += 2;
      const m = /^[A-Za-z0-9_\-]+/.exec(s.slice(i));
      if (!m) throw new JSONPathError(`unrecognized identifier in ${expr}`);
      steps.push({ kind: 'recursive', name: m[0] });
      i += m[0].length;
    } else if (s[i] === '.') {
      i++;
      if (s[i] === '*') { steps.push({ kind: 'wildcard' }); i++; continue; }
      const m = /^[^.[\]]+/.exec(s.slice(i));
      if (!m) continue;
      steps.push({ kind: 'field', name: m[0] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) throw new JSONPathError(`unterminated array`);
      const inner = s.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(')) {
        const m = /^\?\(@(.*?)\s*(==|!=|<=|>=|<|>)\s*(.+)\)$/.exec(inner);
        if (!m) throw new JSONPathError(`unsupported filter ${inner}`);
        const raw = m[3].trim();
        const value = /^['"].*['"]$/.test(raw) ? raw.slice(1, -1) : Number(raw);
        steps.push({ kind: 'filter', path: parseSteps(m[1]), op: m[2], value });
      } else if (inner.includes(':')) {
        const [a, b] = inner.split(':');
        steps.push({ kind: 'index', start: a ? Number(a) : undefined, end: b ? Number(b) : undefined, single: false });
      } else {
        steps.push({ kind: 'index', start: Number(inner), single: true });
      }
    } else {
      const m = /^[^.[\]]+/.exec(s.slice(i));
      if (!m) throw new JSONPathError(`unrecognized character in action: ${s[i]}`);
      steps.push({ kind: 'field', name: m[0] });
      i += m[0].length;
    }
  }
  return steps;
}

function parseLiteral(inner: string): string {
  return JSON.parse(inner.replace(/^'|'$/g, '"')) as string;
}

export function parseTemplate(t: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < t.length) {
    const open = t.indexOf('{', i);
    if (open < 0) { stack[stack.length - 1].push({ type: 'text', text: t.slice(i) }); break; }
    if (open > i) stack[stack.length - 1].push({ type: 'text', text: t.slice(i, open) });
    let depth = 0, j = open, quote = '';
    for (; j < t.length; j++) {
      const c = t[j];
      if (quote) { if (c === '\\') j++; else if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (j >= t.length) throw new JSONPathError(`unclosed action`);
    const inner = t.slice(open + 1, j).trim();
    i = j + 1;
    const cur = stack[stack.length - 1];
    if (inner.startsWith('range ')) {
      const node: Node = { type: 'range', steps: parseSteps(inner.slice(6)), body: [] };
      cur.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (stack.length === 1) throw new JSONPathError('not in range, nothing to end');
      stack.pop();
    } else if (/^".*"$|^'.*'$/s.test(inner)) {
      cur.push({ type: 'literal', text: parseLiteral(inner) });
    } else {
      cur.push({ type: 'path', steps: parseSteps(inner) });
    }
  }
  return root;
}

function isObj(v: unknown): v is Record<string, unknown> { return typeof v === 'object' && v !== null && !Array.isArray(v); }

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return (a as number) < (b as number);
    case '>': return (a as number) > (b as number);
    case '<=': return (a as number) <= (b as number);
    default: return (a as number) >= (b as number);
  }
}

function evalSteps(values: unknown[], steps: Step[], allowMissing = false): unknown[] {
  let cur = values;
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (st.kind) {
        case 'field': if (isObj(v) && v[st.name] !== undefined) next.push(v[st.name]); break;
        case 'wildcard': if (Array.isArray(v)) next.push(...v); else if (isObj(v)) next.push(...Object.keys(v).sort().map((k) => v[k])); break;
        case 'recursive': {
          const walk = (x: unknown) => {
            if (isObj(x)) { if (x[st.name] !== undefined) next.push(x[st.name]); for (const k of Object.keys(x).sort()) walk(x[k]); }
            else if (Array.isArray(x)) x.forEach(walk);
          };
          walk(v);
          break;
        }
        case 'index': {
          if (!Array.isArray(v)) break;
          if (st.single) {
            const i = st.start! < 0 ? v.length + st.start! : st.start!;
            if (i < 0 || i >= v.length) throw new JSONPathError(`array index out of bounds: index ${st.start}, length ${v.length}`);
            next.push(v[i]);
          } else {
            const norm = (x: number | undefined, d: number) => (x === undefined ? d : x < 0 ? Math.max(0, v.length + x) : Math.min(x, v.length));
            next.push(...v.slice(norm(st.start, 0), norm(st.end, v.length)));
          }
          break;
        }
        case 'filter':
          if (Array.isArray(v)) for (const x of v) { const got = evalSteps([x], st.path, allowMissing); if (got.length && compare(got[0], st.op, st.value)) next.push(x); }
          break;
      }
    }
    cur = next;
  }
  return cur;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || isObj(v)) return toCompactJson(v);
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

function execute(nodes: Node[], data: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text' || n.type === 'literal') out += n.text;
    else if (n.type === 'path') out += evalSteps([data], n.steps).map(text).join(' ');
    else for (const item of evalSteps([data], n.steps).flatMap((x) => (Array.isArray(x) ? x : [x]))) out += execute(n.body, item);
  }
  return out;
}

/** Renders `-o jsonpath=TEMPLATE` for one object (or List). */
export function printJsonPath(template: string, data: unknown): string {
  return execute(parseTemplate(template), data);
}

/**
 * The results of each action of a template, as client-go's JSONPath.FindResults with AllowMissingKeys
 * (missing fields give no values; an index out of range is still an error): one list of values per {...} action (text and literals are not actions).
 */
export function findResults(template: string, data: unknown): unknown[][] {
  const out: unknown[][] = [];
  for (const n of parseTemplate(template)) {
    if (n.type === 'path') out.push(evalSteps([data], n.steps, true));
    else if (n.type === 'literal') out.push([n.text]);
  }
  return out;
}
