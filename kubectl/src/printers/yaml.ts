// YAML as kubectl prints it: sigs.k8s.io/yaml over go-yaml v2 (keys sorted, indentless sequences,
// go-yaml's quoting rules, literal blocks for multi-line strings, folding at 80 columns).

const bestWidth = 80;
const bestIndent = 2;

/** go-yaml v2's keyList.Less for string keys: runs of digits compare as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a], br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]), bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    let an = 0, bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') { an = 1; bn = 1; break; }
      }
    }
    let ai = i, bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

function isDigit(c: string | undefined): boolean { return c !== undefined && c >= '0' && c <= '9'; }
function isLetter(c: string): boolean { return /\p{L}/u.test(c); }

function sortKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (a === b ? 0 : goYamlKeyLess(a, b) ? -1 : 1));
}

// ---- resolve: would this plain scalar read back as something other than a string? ----

const resolveTable = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function parsesAsGoInt(s: string): boolean {
  const t = s.replace(/_/g, '');
  // strconv.ParseInt/ParseUint with base 0.
  return /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]*|[1-9][0-9]*)$/.test(t) && t !== '' && !/^[-+]$/.test(t);
}

function isTimestamp(s: string): boolean {
  // go-yaml v2 parseTimestamp: starts with 4 digits and '-', then one of its layouts.
  if (!/^[0-9]{4}-/.test(s)) return false;
  return /^\d{4}-\d{1,2}-\d{1,2}$/.test(s)
    || /^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(s);
}

/** True when go-yaml would resolve the plain text to a non-string tag. */
export function resolvesToNonString(s: string): boolean {
  if (s === '') return true;
  if (resolveTable.has(s)) return true;
  const c = s[0];
  if ((c >= '0' && c <= '9') || c === '+' || c === '-' || c === '.') {
    if (parsesAsGoInt(s)) return true;
    if (yamlStyleFloat.test(s)) return true;
    if (isTimestamp(s)) return true;
  }
  return false;
}

// ---- scalar analysis (yaml_emitter_analyze_scalar) ----

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function isBreak(c: string | undefined): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}
function isBlankz(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\0' || isBreak(c);
}
function isPrintable(c: string): boolean {
  const x = c.codePointAt(0)!;
  return x === 0x0a || (x >= 0x20 && x <= 0x7e) || x === 0x85 || (x >= 0xa0 && x <= 0xd7ff)
    || (x >= 0xe000 && x <= 0xfffd && x !== 0xfeff) || (x >= 0x10000 && x <= 0x10ffff);
}

function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  const ch = [...value];
  let blockIndicators = false, flowIndicators = false, lineBreaks = false, specialCharacters = false;
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
  let breakSpace = false, spaceBreak = false, precededByWhitespace = true, previousSpace = false, previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) { blockIndicators = true; flowIndicators = true; }
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i];
    const followedByWhitespace = isBlankz(ch[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) { flowIndicators = true; blockIndicators = true; }
      else if (c === '?' || c === ':') { flowIndicators = true; if (followedByWhitespace) blockIndicators = true; }
      else if (c === '-' && followedByWhitespace) { flowIndicators = true; blockIndicators = true; }
    } else {
      if (',?[]{}'.includes(c)) flowIndicators = true;
      else if (c === ':') { flowIndicators = true; if (followedByWhitespace) blockIndicators = true; }
      else if (c === '#' && precededByWhitespace) { flowIndicators = true; blockIndicators = true; }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === ch.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true; previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === ch.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true; previousSpace = false;
    } else {
      previousSpace = false; previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  const a: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) { a.flowPlain = false; a.blockPlain = false; }
  if (trailingSpace) a.block = false;
  if (breakSpace) { a.flowPlain = false; a.blockPlain = false; a.singleQuoted = false; }
  if (spaceBreak || specialCharacters) { a.flowPlain = false; a.blockPlain = false; a.singleQuoted = false; a.block = false; }
  if (lineBreaks) { a.flowPlain = false; a.blockPlain = false; }
  if (flowIndicators) a.flowPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

// ---- the emitter ----

class Emitter {
  out = '';
  column = 0;

  write(s: string): void {
    this.out += s;
    for (const _ of s) this.column++;
  }
  writeIndent(indent: number): void {
    this.out += '\n' + ' '.repeat(indent);
    this.column = indent;
  }
  newline(): void { this.out += '\n'; this.column = 0; }

  /** A string scalar; `indent` is where continuation lines go; `simpleKey` for mapping keys. */
  string(value: string, indent: number, simpleKey: boolean): void {
    let style: 'plain' | 'single' | 'double' | 'literal';
    if (value.includes('\n')) style = 'literal';
    else if (!resolvesToNonString(value) && !base60Float.test(value)) style = 'plain';
    else style = 'double';
    const a = analyze(value);
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlain) style = 'single';
      if (value === '' && simpleKey) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
    const allowBreaks = !simpleKey;
    switch (style) {
      case 'plain': return this.plain(value, indent, allowBreaks);
      case 'single': return this.single(value, indent, allowBreaks);
      case 'double': return this.double(value, indent, allowBreaks);
      case 'literal': return this.literal(value, indent);
    }
  }

  private plain(value: string, indent: number, allowBreaks: boolean): void {
    const ch = [...value];
    let spaces = false;
    for (let i = 0; i < ch.length; i++) {
      if (ch[i] === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && ch[i + 1] !== ' ') this.writeIndent(indent);
        else this.write(' ');
        spaces = true;
      } else {
        this.write(ch[i]);
        spaces = false;
      }
    }
  }

  private single(value: string, indent: number, allowBreaks: boolean): void {
    this.write("'");
    const ch = [...value];
    let spaces = false;
    for (let i = 0; i < ch.length; i++) {
      if (ch[i] === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && i !== 0 && i !== ch.length - 1 && ch[i + 1] !== ' ') this.writeIndent(indent);
        else this.write(' ');
        spaces = true;
      } else {
        if (ch[i] === "'") this.write("'");
        this.write(ch[i]);
        spaces = false;
      }
    }
    this.write("'");
  }

  private double(value: string, indent: number, allowBreaks: boolean): void {
    this.write('"');
    const ch = [...value];
    let spaces = false;
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i];
      const cp = c.codePointAt(0)!;
      if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
        const esc: Record<string, string> = {
          '\0': '0', '\x07': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\f': 'f', '\r': 'r',
          '\x1b': 'e', '"': '"', '\\': '\\', '\u0085': 'N', '\u00a0': '_', '\u2028': 'L', '\u2029': 'P',
        };
        if (esc[c] !== undefined) this.write('\\' + esc[c]);
        else if (cp <= 0xff) this.write('\\x' + cp.toString(16).toUpperCase().padStart(2, '0'));
        else if (cp <= 0xffff) this.write('\\u' + cp.toString(16).toUpperCase().padStart(4, '0'));
        else this.write('\\U' + cp.toString(16).toUpperCase().padStart(8, '0'));
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && i !== 0 && i !== ch.length - 1) {
          this.writeIndent(indent);
          if (ch[i + 1] === ' ') this.write('\\');
        } else {
          this.write(' ');
        }
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    }
    this.write('"');
  }

  private literal(value: string, indent: number): void {
    const ch = [...value];
    let hints = '';
    if (ch[0] === ' ' || isBreak(ch[0])) hints += String(bestIndent);
    const last = ch.length - 1;
    if (!isBreak(ch[last])) hints += '-';
    else if (last === 0 || isBreak(ch[last - 1])) hints += '+';
    this.write('|' + hints);
    this.newline();
    let breaks = true;
    for (let i = 0; i < ch.length; i++) {
      if (isBreak(ch[i])) {
        this.newline();
        breaks = true;
      } else {
        if (breaks) { this.out += ' '.repeat(indent); this.column = indent; breaks = false; }
        this.write(ch[i]);
      }
    }
    // Ending with a line break leaves the cursor at a new line: the caller must not add another.
    this.trailingNewlineWritten = breaks;
  }

  trailingNewlineWritten = false;
}

function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) for floats; integers as is. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(n);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Emits a node that starts at the current position (after "key:" or "- ").
 * `indent` is the indentation of the enclosing block (the key's or the dash's column).
 */
function emitValue(e: Emitter, v: unknown, indent: number, afterKey: boolean): void {
  if (Array.isArray(v)) {
    if (v.length === 0) { e.write(afterKey ? ' []' : '[]'); e.newline(); return; }
    // Sequences in mappings are indentless: "- " at the key's column.
    if (afterKey) e.newline();
    emitSeq(e, v, afterKey ? indent : indent, !afterKey);
    return;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) { e.write(afterKey ? ' {}' : '{}'); e.newline(); return; }
    if (afterKey) {
      e.newline();
      emitMap(e, v, indent + bestIndent, false);
    } else {
      emitMap(e, v, indent, true);
    }
    return;
  }
  if (afterKey) e.write(' ');
  const t = scalarText(v);
  if (t !== undefined) e.write(t);
  else {
    e.trailingNewlineWritten = false;
    e.string(String(v), indent + bestIndent, false);
    if (e.trailingNewlineWritten) { e.trailingNewlineWritten = false; return; }
  }
  e.newline();
}

function emitMap(e: Emitter, m: Record<string, unknown>, indent: number, continuing: boolean): void {
  let first = true;
  for (const k of sortKeys(Object.keys(m).filter((x) => m[x] !== undefined))) {
    if (!(first && continuing)) { e.out += ' '.repeat(indent); e.column = indent; }
    first = false;
    e.string(k, indent, true);
    e.write(':');
    emitValue(e, m[k], indent, true);
  }
}

function emitSeq(e: Emitter, s: unknown[], indent: number, continuing: boolean): void {
  let first = true;
  for (const item of s) {
    if (!(first && continuing)) { e.out += ' '.repeat(indent); e.column = indent; }
    first = false;
    e.write('- ');
    if (Array.isArray(item) && item.length > 0) {
      emitSeq(e, item, indent + bestIndent, true);
    } else if (isMap(item) && Object.keys(item).some((k) => item[k] !== undefined)) {
      emitMap(e, item, indent + bestIndent, true);
    } else if (Array.isArray(item) || isMap(item)) {
      emitValue(e, item, indent, false);
    } else {
      const t = scalarText(item);
      if (t !== undefined) { e.write(t); e.newline(); continue; }
      e.trailingNewlineWritten = false;
      e.string(String(item), indent + bestIndent, false);
      if (e.trailingNewlineWritten) { e.trailingNewlineWritten = false; continue; }
      e.newline();
    }
  }
}

/** A JSON value as `kubectl -o yaml` prints it (always ends with a newline). */
export function toYaml(v: unknown): string {
  const e = new Emitter();
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]\n';
    emitSeq(e, v, 0, true);
  } else if (isMap(v)) {
    if (Object.keys(v).length === 0) return '{}\n';
    emitMap(e, v, 0, true);
  } else {
    const t = scalarText(v);
    if (t !== undefined) return t + '\n';
    e.string(String(v), 0, false);
    if (!e.trailingNewlineWritten) e.newline();
  }
  return e.out;
}
