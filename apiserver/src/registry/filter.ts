// Label and field selectors of list and watch requests, compiled once per request.
import { errors, type KubeObject } from '@k8ts/api';
import { parseSelector, matchesLabels } from '@k8ts/api/labels.ts';
import { fieldSelectorFor, objectMatchesFields } from '@k8ts/api/fields.ts';

export type ObjectFilter = (o: KubeObject) => boolean;

export function compileFilter(kind: string, labelSelector?: string, fieldSelector?: string): ObjectFilter | undefined {
  const tests: ObjectFilter[] = [];
  if (labelSelector) {
    let sel;
    try { sel = parseSelector(labelSelector); } catch (e) { throw errors.badRequest((e as Error).message); }
    tests.push((o) => matchesLabels(sel, o.metadata.labels));
  }
  if (fieldSelector) {
    let sel;
    try { sel = fieldSelectorFor(kind, fieldSelector); } catch (e) { throw errors.badRequest((e as Error).message); }
    tests.push((o) => objectMatchesFields(kind, sel, o));
  }
  if (!tests.length) return undefined;
  return tests.length === 1 ? tests[0] : (o) => tests.every((t) => t(o));
}
