// The ReplicaSet describer and the generic describer upstream uses for kinds without their own
// (name, namespace, labels, annotations, then every other field with "smart" labels, then events).
import { formatLabelSelector } from '@k8ts/api/labels.ts';
import { goValue } from '../printers/custom-columns.ts';
import { PrefixWriter, LEVEL_0, LEVEL_1 } from './writer.ts';
import { printLabelsMultiline, printAnnotationsMultiline, describeEvents, printController } from './common.ts';
import { describePodTemplate } from './describers.ts';

type Obj = Record<string, any>;

/** Pods of a controller by phase (getPodStatusForController): only pods it controls count. */
export function podStatusForController(pods: Obj[], uid: string): { running: number; waiting: number; succeeded: number; failed: number } {
  const s = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const p of pods) {
    const ref = (p.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller);
    if (!ref || ref.uid !== uid) continue;
    switch (p.status?.phase) {
      case 'Running': s.running++; break;
      case 'Pending': s.waiting++; break;
      case 'Succeeded': s.succeeded++; break;
      case 'Failed': s.failed++; break;
    }
  }
  return s;
}

export function describeReplicaSet(rs: Obj, pods: Obj[] | string, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = rs.metadata ?? {}, spec = rs.spec ?? {}, status = rs.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  const controlledBy = printController(rs);
  if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
  w.write(LEVEL_0, `Replicas:\t${status.replicas ?? 0} current / ${spec.replicas ?? 1} desired\n`);
  w.write(LEVEL_0, 'Pods Status:\t');
  if (typeof pods === 'string') w.write(LEVEL_0, `error in fetching pods: ${pods}\n`);
  else {
    const s = podStatusForController(pods, m.uid);
    w.write(LEVEL_0, `${s.running} Running / ${s.waiting} Waiting / ${s.succeeded} Succeeded / ${s.failed} Failed\n`);
  }
  describePodTemplate(w, spec.template);
  if (status.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(LEVEL_1, '----\t------\t------\n');
    for (const c of status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  describeEvents(w, events);
  return w.toString();
}

/** fatih/camelcase.Split: runs of lower, upper, digit and other runes, an upper run's last rune joining a lower run. */
export function camelcaseSplit(s: string): string[] {
  const cls = (r: string) => (/\p{Ll}/u.test(r) ? 1 : /\p{Lu}/u.test(r) ? 2 : /\p{Nd}/u.test(r) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const r of s) {
    const c = cls(r);
    if (c === last) runs[runs.length - 1].push(r); else runs.push([r]);
    last = c;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    if (cls(runs[i][0]) === 2 && cls(runs[i + 1][0]) === 1) runs[i + 1].unshift(runs[i].pop()!);
  }
  return runs.filter((r) => r.length).map((r) => r.join(''));
}

const acronyms = ['API', 'URL', 'UID', 'OSB', 'GUID'];

/** "apiVersion" → "API Version", "creationTimestamp" → "Creation Timestamp"; other names stay. */
export function smartLabelFor(field: string): string {
  for (const r of field) if (!/\p{L}/u.test(r) && r !== '-') return field;
  const parts: string[] = [];
  for (const part of camelcaseSplit(field)) {
    if (part === '_') continue;
    if (acronyms.includes(part.toUpperCase())) parts.push(part.toUpperCase());
    else parts.push(part.replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()));
  }
  return parts.join(' ');
}

function isMap(v: unknown): v is Obj { return typeof v === 'object' && v !== null && !Array.isArray(v); }

function printUnstructuredContent(w: PrefixWriter, level: number, content: Obj, skipPrefix: string, skip: string[]): void {
  for (const field of Object.keys(content).sort()) {
    const v = content[field];
    const expr = `${skipPrefix}.${field}`;
    if (skip.includes(expr)) continue;
    if (isMap(v)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructuredContent(w, level + 1, v, expr, skip);
    } else if (Array.isArray(v)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of v) {
        if (isMap(child)) printUnstructuredContent(w, level + 1, child, expr, skip);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else {
      w.write(level, `${smartLabelFor(field)}:\t${goValue(v)}\n`);
    }
  }
}

export function describeGeneric(obj: Obj, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = obj.metadata ?? {};
  w.write(LEVEL_0, `Name:\t${m.name ?? ''}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  printUnstructuredContent(w, LEVEL_0, obj, '', ['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);
  describeEvents(w, events);
  return w.toString();
}
