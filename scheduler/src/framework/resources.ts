// Resource quantities as the scheduler needs them: integer milli-units for cpu and integer
// units (bytes, counts) for everything else, rounded up as resource.Quantity's MilliValue()/Value().
// Exact decimal arithmetic with BigInt so "0.1" is 100m, not 101m.

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

interface Parsed {
  negative: boolean;
  mantissa: bigint; // digits without the decimal point
  exp10: number; // value = mantissa * 10^exp10 * 2^exp2
  exp2: number;
}

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;

function parse(q: string | number): Parsed {
  const s = typeof q === 'number' ? String(q) : q.trim();
  const m = QUANTITY_RE.exec(s);
  if (!m) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${s}`);
  const [, sign, num, suffix] = m;
  const [intPart, fracPart = ''] = num.split('.');
  let exp10 = -fracPart.length;
  let exp2 = 0;
  if (suffix in DECIMAL_SUFFIX) exp10 += DECIMAL_SUFFIX[suffix];
  else if (suffix in BINARY_SUFFIX) exp2 = BINARY_SUFFIX[suffix];
  else if (/^[eE][-+]?\d+$/.test(suffix)) exp10 += Number(suffix.slice(1));
  else throw new Error(`unable to parse quantity's suffix: ${s}`);
  return { negative: sign === '-', mantissa: BigInt((intPart || '0') + fracPart), exp10, exp2 };
}

/** value * 10^shift, rounded up (towards +infinity), as a number. */
function scaledCeil(p: Parsed, shift: number): number {
  let n = p.mantissa * (1n << BigInt(p.exp2));
  const e = p.exp10 + shift;
  let result: bigint;
  if (e >= 0) result = n * 10n ** BigInt(e);
  else {
    const d = 10n ** BigInt(-e);
    result = n / d;
    if (!p.negative && n % d !== 0n) result += 1n;
    n = result;
  }
  return Number(p.negative ? -result : result);
}

/** resource.Quantity.MilliValue(): the quantity in thousandths, rounded up. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  return scaledCeil(parse(q), 3);
}

/** resource.Quantity.Value(): the quantity rounded up to an integer. */
export function value(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  return scaledCeil(parse(q), 0);
}
