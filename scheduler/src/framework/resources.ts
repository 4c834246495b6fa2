// Resource quantities as the scheduler needs them: integer milli-units for cpu and integer units (bytes,
// counts) for everything else, rounded up as resource.Quantity's MilliValue()/Value() — through the
// project's shared parser in @k8ts/api/quantity.ts.
import { milliValue as apiMilliValue, value as apiValue } from '@k8ts/api/quantity.ts';

/** resource.Quantity.MilliValue(): the quantity in thousandths, rounded up; 0 when absent. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  return apiMilliValue(q);
}

/** resource.Quantity.Value(): the quantity rounded up to an integer; 0 when absent. */
export function value(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  return apiValue(q);
}
