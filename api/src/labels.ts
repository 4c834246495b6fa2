// Label selectors with upstream apimachinery semantics (pkg/labels/selector.go): the string syntax
// `a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j,n>1,m<2`, matching against a label map, conversion from a
// metav1.LabelSelector, and formatting back to the canonical string.
import { isQualifiedName as qualifiedNameErrors, isValidLabelValue as labelValueErrors } from './validation/names.ts';

/** metav1.LabelSelector (structurally the kubernetes-types one). */
export interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/**
 * A parsed selector. `requirements` are ANDed; `nothing` marks upstream's labels.Nothing() (what a null
 * metav1.LabelSelector converts to), which matches no object at all.
 */
export interface Selector {
  requirements: Requirement[];
  nothing?: boolean;
}

export type Labels = Record<string, string> | undefined | null;

/** Thrown for a selector that cannot be parsed or is invalid; the API server answers 400 with its message. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

export function everything(): Selector {
  return { requirements: [] };
}

export function nothing(): Selector {
  return { requirements: [], nothing: true };
}

export function isEmpty(sel: Selector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

// field.Error.Error() for an Invalid value of a string.
function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

function aggregate(errs: string[]): string | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  return `[${errs.join(', ')}]`;
}

const operatorNames: Record<Operator, string> = {
  '=': '=', '==': '==', '!=': '!=', in: 'in', notin: 'notin', exists: 'exists', '!': '!', gt: 'gt', lt: 'lt',
};

/** Builds a requirement with upstream's NewRequirement checks; throws SelectorError. */
export function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  const vals = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${vals}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${vals}: exact-match compatibility requires one single value`);
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${vals}: values set must be empty for exists and does not exist`);
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${vals}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${JSON.stringify(operatorNames[operator as Operator] ?? operator)}: supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`);
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalid(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  const err = aggregate(errs);
  if (err) throw new SelectorError(err);
  return { key, operator, values: [...values] };
}

// ---- lexer/parser ----

type Tok =
  | 'error' | 'eos' | 'closedPar' | 'comma' | 'doesNotExist' | 'doubleEquals' | 'equals' | 'gt'
  | 'identifier' | 'in' | 'lt' | 'notEquals' | 'notIn' | 'openPar';

const string2token: Record<string, Tok> = {
  ')': 'closedPar', ',': 'comma', '!': 'doesNotExist', '==': 'doubleEquals', '=': 'equals', '>': 'gt',
  in: 'in', '<': 'lt', '!=': 'notEquals', notin: 'notIn', '(': 'openPar',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c) && c !== '';

function lex(s: string): Array<{ tok: Tok; lit: string }> {
  const out: Array<{ tok: Tok; lit: string }> = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    if (isSpecial(s[pos])) {
      let buf = '';
      let last: { tok: Tok; lit: string } | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = string2token[buf];
        if (t) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
      out.push({ tok: string2token[buf] ?? 'identifier', lit: buf });
    }
  }
}

const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  items: Array<{ tok: Tok; lit: string }>;
  pos = 0;
  constructor(s: string) { this.items = lex(s); }

  // In the "values" context the keywords `in`/`notin` are ordinary identifiers.
  lookahead(values: boolean): { tok: Tok; lit: string } {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notIn') ? { tok: 'identifier', lit: it.lit } : it;
  }
  consume(values: boolean): { tok: Tok; lit: string } {
    const it = this.lookahead(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'identifier' || tok === 'doesNotExist') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.consume(true);
        if (t.tok === 'eos') return reqs;
        if (t.tok === 'comma') {
          const t2 = this.lookahead(true);
          if (t2.tok !== 'identifier' && t2.tok !== 'doesNotExist') {
            throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
          }
        } else {
          throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): Requirement {
    let operator: Operator | undefined;
    let t = this.consume(true);
    if (t.tok === 'doesNotExist') {
      operator = '!';
      t = this.consume(true);
    }
    if (t.tok !== 'identifier') throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = qualifiedNameErrors(key);
    if (keyErrs.length) throw new Error(invalid('<nil>', key, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if (operator === '!' || next === 'eos' || next === 'comma') {
      return newRequirement(key, operator ?? 'exists', []);
    }
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort());
  }

  parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in': return 'in';
      case 'equals': return '=';
      case 'doubleEquals': return '==';
      case 'gt': return 'gt';
      case 'lt': return 'lt';
      case 'notIn': return 'notin';
      case 'notEquals': return '!=';
      default: throw new Error(`found '${lit}', expected: ${binaryOperators}`);
    }
  }

  parseValues(): Set<string> {
    let t = this.consume(true);
    if (t.tok !== 'openPar') throw new Error(`found '${t.lit}' expected: '('`);
    t = this.lookahead(true);
    if (t.tok === 'identifier' || t.tok === 'comma') {
      const s = this.parseIdentifiersList();
      if (this.consume(true).tok !== 'closedPar') throw new Error(`found '${t.lit}', expected: ')'`);
      return s;
    }
    if (t.tok === 'closedPar') {
      this.consume(true);
      return new Set(['']);
    }
    throw new Error(`found '${t.lit}', expected: ',', ')' or identifier`);
  }

  parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'identifier') {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === 'comma') continue;
        if (t2.tok === 'closedPar') return s;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === 'comma') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true).tok;
        if (t2 === 'closedPar') {
          s.add('');
          return s;
        }
        if (t2 === 'comma') s.add('');
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  parseExactValue(): Set<string> {
    const t = this.lookahead(true).tok;
    if (t === 'eos' || t === 'comma') return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === 'identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

function byKey(a: Requirement, b: Requirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Parses the string form of a label selector (upstream labels.Parse). Throws SelectorError. */
export function parseSelector(s: string): Selector {
  const reqs = new Parser(s).parse();
  return { requirements: reqs.sort(byKey) };
}

// ---- matching ----

function has(labels: Labels, key: string): boolean {
  return !!labels && Object.prototype.hasOwnProperty.call(labels, key);
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has(labels, r.key) && r.values.includes(labels![r.key]);
    case 'notin': case '!=':
      return !has(labels, r.key) || !r.values.includes(labels![r.key]);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt': case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const v = labels![r.key];
      if (!/^[+-]?\d+$/.test(v) || !/^[+-]?\d+$/.test(r.values[0])) return false;
      const lv = BigInt(v);
      const rv = BigInt(r.values[0]);
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

/** True when every requirement matches; an empty selector matches everything, Nothing matches nothing. */
export function matchesLabels(sel: Selector, labels: Labels): boolean {
  if (sel.nothing) return false;
  return sel.requirements.every((r) => requirementMatches(r, labels));
}

// ---- metav1.LabelSelector ----

/**
 * Upstream metav1.LabelSelectorAsSelector: null/undefined → Nothing (matches no objects), an empty
 * selector → Everything. Throws SelectorError for an invalid selector.
 */
export function labelSelectorAsSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls == null) return nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newRequirement(k, '=', [v]));
  for (const e of exprs) {
    let op: Operator;
    switch (e.operator) {
      case 'In': op = 'in'; break;
      case 'NotIn': op = 'notin'; break;
      case 'Exists': op = 'exists'; break;
      case 'DoesNotExist': op = '!'; break;
      default: throw new SelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
    reqs.push(newRequirement(e.key, op, [...(e.values ?? [])]));
  }
  return { requirements: reqs.sort(byKey) };
}

/** A selector matching exactly the given labels (upstream SelectorFromSet); empty/null → everything. */
export function selectorFromSet(set: Record<string, string> | null | undefined): Selector {
  return { requirements: Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as Operator, values: [v] })).sort(byKey) };
}

/** Whether a metav1.LabelSelector matches the labels (null selector matches nothing). */
export function labelSelectorMatches(ls: LabelSelector | null | undefined, labels: Labels): boolean {
  return matchesLabels(labelSelectorAsSelector(ls), labels);
}

// ---- formatting ----

function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? '!' : '';
  s += r.key;
  switch (r.operator) {
    case '=': s += '='; break;
    case '==': s += '=='; break;
    case '!=': s += '!='; break;
    case 'in': s += ' in '; break;
    case 'notin': s += ' notin '; break;
    case 'gt': s += '>'; break;
    case 'lt': s += '<'; break;
    case 'exists': case '!': return s;
  }
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

/** The canonical string of a selector (upstream Selector.String()), e.g. "app=web,tier in (a,b)". */
export function formatSelector(sel: Selector): string {
  if (sel.nothing) return '';
  return sel.requirements.map(requirementString).join(',');
}

/** The selector string of a metav1.LabelSelector, e.g. Scale's status.selector "app=web" ("" when empty). */
export function labelSelectorString(ls: LabelSelector | null | undefined): string {
  return formatSelector(labelSelectorAsSelector(ls));
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  let s: string;
  try {
    s = formatSelector(labelSelectorAsSelector(ls));
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}

/** labels.FormatLabels: "a=b,c=d" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
