// Kubernetes resource.Quantity: parsing, exact comparison and canonical formatting.
// Values are held exactly as a BigInt count of nano-units (10^-9); like upstream, anything finer is rounded up.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in nano-units (value × 10^9), exact. */
  nanos: bigint;
  /** The format the string was written in, reused when it is serialized again. */
  format: QuantityFormat;
}

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const splitRE = new RegExp(splitREString);

export const ErrFormatWrong = `quantities must match the regular expression '${splitREString}'`;
export const ErrNumeric = 'unable to parse numeric part of quantity';
export const ErrSuffix = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const decimalSuffixOf = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));

const NANO = 10n ** 9n;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Division rounding away from zero, as upstream rounds up values more precise than it can hold. */
function divUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a ? q : a < 0n ? q - 1n : q + 1n;
}

/**
 * Parsed quantities by their text: the same few ("100m", "128Mi") are parsed for every pod written, scheduled
 * and admitted. Results are frozen and shared; the cache is emptied when it grows past its bound.
 */
const parsed = new Map<string, Quantity>();
const PARSED_MAX = 4096;

/** Parses "100m", "1.5", "128Mi", "1G", "1e3", or a number; throws QuantityError with upstream's message. */
export function parse(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberToString(input) : input;
  let q = parsed.get(str);
  if (q === undefined) {
    q = Object.freeze(parseText(str));
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(str, q);
  }
  return q;
}

function parseText(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(ErrFormatWrong);
  const m = splitRE.exec(str);
  if (!m) throw new QuantityError(ErrFormatWrong);
  const num = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(m[1]);
  if (!num || (num[2] === '' && (num[3] ?? '') === '')) throw new QuantityError(ErrNumeric);
  const negative = num[1] === '-';
  const whole = num[2] || '0';
  const frac = num[3] ?? '';
  const suffix = m[2];

  let format: QuantityFormat;
  let base10 = 0; // exponent of 10
  let base1024 = 0; // exponent of 1024
  if (suffix in binarySuffixes) {
    format = 'BinarySI';
    base1024 = binarySuffixes[suffix];
  } else if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    base10 = decimalSuffixes[suffix];
  } else {
    const e = /^[eE]([-+]?\d+)$/.exec(suffix);
    if (!e) throw new QuantityError(ErrSuffix);
    format = 'DecimalExponent';
    base10 = Number(e[1]);
  }

  // digits × 10^(base10 - frac.length) × 1024^base1024, in nanos.
  let digits = BigInt(whole + frac) * 1024n ** BigInt(base1024);
  const scale = base10 - frac.length + 9;
  if (scale >= 0) digits *= pow10(scale);
  else digits = divUp(digits, pow10(-scale));
  return { nanos: negative ? -digits : digits, format };
}

function numberToString(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(ErrFormatWrong);
  return String(n).replace('e+', 'e');
}

/** True when s parses as a Quantity. */
export function isQuantity(s: unknown): boolean {
  if (typeof s !== 'string' && typeof s !== 'number') return false;
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
}

/** The value in base units (cores, bytes) as a float: "100m" → 0.1, "128Mi" → 134217728. */
export function parseQuantity(s: string | number): number {
  return Number(parse(s).nanos) / 1e9;
}

/** Upstream Quantity.Value(): the value rounded up to an integer ("100m" → 1). */
export function value(s: string | number): number {
  return Number(divUp(parse(s).nanos, NANO));
}

/** Upstream Quantity.MilliValue(): value × 1000 rounded up ("100m" → 100, "1.5" → 1500). */
export function milliValue(s: string | number): number {
  return Number(divUp(parse(s).nanos, 10n ** 6n));
}

/** -1, 0 or 1 as a is less than, equal to or greater than b, compared exactly. */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = parse(a).nanos;
  const y = parse(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The canonical string of a Quantity, as upstream serializes it ("1.5" → "1500m", "1.5Gi" → "1536Mi"). */
export function format(q: Quantity): string {
  const { nanos } = q;
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  let fmt = q.format;
  if (fmt === 'BinarySI') {
    // Small or fractional binary quantities are written in decimal SI.
    if (abs < 1024n * NANO || abs % NANO !== 0n) fmt = 'DecimalSI';
    else {
      let n = abs / NANO;
      let e = 0;
      while (e < 6 && n % 1024n === 0n) { n /= 1024n; e++; }
      const suffix = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][e];
      return `${sign}${n}${suffix}`;
    }
  }
  // Largest multiple-of-3 exponent (from -9) that leaves an integer mantissa.
  let mantissa = abs;
  let exp = -9;
  while (mantissa % 1000n === 0n && (fmt === 'DecimalExponent' || exp < 18)) { mantissa /= 1000n; exp += 3; }
  if (fmt === 'DecimalExponent') return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
  return `${sign}${mantissa}${decimalSuffixOf.get(exp)}`;
}

/** Parses and re-serializes in canonical form: "1000" → "1k", "0.5Gi" → "512Mi", "1e3" → "1e3". */
export function canonicalQuantity(s: string | number): string {
  return format(parse(s));
}

/** A Quantity of `milli` thousandths in DecimalSI form: 1500 → "1500m", 2000 → "2". */
export function fromMilli(milli: number): string {
  return format({ nanos: BigInt(Math.round(milli)) * 10n ** 6n, format: 'DecimalSI' });
}

/** A Quantity of `n` base units in the given format: fromValue(1073741824, 'BinarySI') → "1Gi". */
export function fromValue(n: number, fmt: QuantityFormat = 'DecimalSI'): string {
  return format({ nanos: BigInt(Math.round(n)) * NANO, format: fmt });
}
