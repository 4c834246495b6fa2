// Resource quantities as the scheduler needs them: integer milli-units for cpu and integer units (bytes,
// counts) for everything else, rounded up as resource.Quantity's MilliValue()/Value() — through the
// project's shared parser in @k8ts/api/quantity.ts. Pods repeat a few quantity strings ("100m", "500Mi")
// thousands of times, so parsed strings are remembered (the parse is exact, with BigInts, and not cheap).
import { milliValue as apiMilliValue, value as apiValue } from '@k8ts/api/quantity.ts';

/** Above this many distinct strings a memo is cleared (a bound on memory, not a cache policy). */
const MAX_MEMO = 4096;
const milliMemo = new Map<string, number>();
const valueMemo = new Map<string, number>();

function memoized(memo: Map<string, number>, q: string, parse: (q: string) => number): number {
  let v = memo.get(q);
  if (v === undefined) {
    v = parse(q); // a malformed quantity throws and is not remembered
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(q, v);
  }
  return v;
}

/** resource.Quantity.MilliValue(): the quantity in thousandths, rounded up; 0 when absent. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'string') return memoized(milliMemo, q, apiMilliValue);
  return apiMilliValue(q);
}

/** resource.Quantity.Value(): the quantity rounded up to an integer; 0 when absent. */
export function value(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'string') return memoized(valueMemo, q, apiValue);
  return apiValue(q);
}
