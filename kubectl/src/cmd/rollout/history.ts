// kubectl rollout history: a Deployment's revisions from its ReplicaSets.
import type { Factory } from '../../factory.ts';
import { AggregateError } from '../../errors.ts';
import { formatTabs } from '../../printers/tabwriter.ts';
import { nameLine, printGeneric, omitManagedFields, type GenericFormat } from '../../printers/index.ts';
import { fetchInfos, nameStub, groupKindValue, type Info, type Obj } from './objects.ts';
import { replicaSetsOf, revisionOf, changeCauseAnnotation } from './replicasets.ts';
import { podTemplateText } from './template.ts';

export interface RolloutHistoryOptions { selector?: string; revision: number; output?: string }

/** revision → ReplicaSet, for the ReplicaSets with a readable revision (later ones win a duplicate). */
export function historyByRevision(rss: Obj[]): Map<number, Obj> {
  const m = new Map<number, Obj>();
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined) m.set(v, rs);
  }
  return m;
}

/** The template a revision shows, with the ReplicaSet's change-cause copied into its annotations. */
function templateOf(rs: Obj): Obj {
  const t = structuredClone(rs.spec?.template ?? {});
  const cause = rs.metadata?.annotations?.[changeCauseAnnotation];
  t.metadata = { ...(t.metadata ?? {}) };
  t.metadata.annotations = { ...(t.metadata.annotations ?? {}) };
  if (cause) t.metadata.annotations[changeCauseAnnotation] = cause;
  return t;
}

/** ViewHistory's text: the REVISION / CHANGE-CAUSE table, or one revision's pod template. */
export function historyText(byRevision: Map<number, Obj>, revision: number): string {
  if (!byRevision.size) return 'No rollout history found.';
  if (revision > 0) {
    const rs = byRevision.get(revision);
    if (!rs) throw new Error('unable to find the specified revision');
    return podTemplateText(templateOf(rs));
  }
  const revs = [...byRevision.keys()].sort((a, b) => a - b);
  let s = 'REVISION\tCHANGE-CAUSE\n';
  for (const r of revs) s += `${r}\t${templateOf(byRevision.get(r)!).metadata.annotations[changeCauseAnnotation] || '<none>'}\n`;
  return formatTabs(s, { minWidth: 0, padding: 2 });
}

export async function runRolloutHistory(f: Factory, args: string[], o: RolloutHistoryOptions): Promise<void> {
  if (o.revision < 0) throw new Error(`revision must be a positive integer: ${o.revision}`);
  const infos = await fetchInfos(f, args, { selector: o.selector, allowAll: true });
  const errs: unknown[] = [];
  for (const info of infos) {
    try { await historyOf(f, info, o); } catch (e) { errs.push(e); }
  }
  if (errs.length) throw new AggregateError(errs);
}

async function historyOf(f: Factory, info: Info, o: RolloutHistoryOptions): Promise<void> {
  if (info.mapping.group !== 'apps') {
    throw new Error(`error retrieving history for "${info.mapping.kind}", no visitor method exists for ${groupKindValue(info.mapping)}`);
  }
  if (info.mapping.kind === 'DaemonSet' || info.mapping.kind === 'StatefulSet') {
    throw new Error(`the history of a ${info.mapping.kind} needs ControllerRevisions, which this server does not serve`);
  }
  if (info.mapping.kind !== 'Deployment') throw new Error(`no history viewer has been implemented for "${info.mapping.kind}.apps"`);
  const byRevision = historyByRevision(await replicaSetsOf(f, info.object));
  if (o.output) {
    const format = genericFormat(o.output);
    let rss: Obj[];
    if (o.revision > 0) {
      const rs = byRevision.get(o.revision);
      if (!rs) throw new Error('unable to find the specified revision');
      rss = [rs];
    } else {
      rss = [...byRevision.keys()].sort((a, b) => a - b).map((r) => byRevision.get(r)!);
    }
    // One printer for all: the YAML printer separates documents after the first.
    f.io.out(rss.map((rs) => printGeneric(omitManagedFields(withKind(rs)), format)).join(format === 'yaml' ? '---\n' : ''));
    return;
  }
  const text = historyText(byRevision, o.revision);
  const withRevision = o.revision > 0 ? `with revision #${o.revision}` : '';
  f.io.out(nameLine(nameStub(info), `${withRevision}\n${text}`));
}

function genericFormat(o: string): GenericFormat {
  if (o === 'yaml' || o === 'json' || o === 'name') return o;
  throw new Error(`unable to match a printer suitable for the output format "${o}", allowed formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,go-template,go-template-file,template,templatefile,yaml`);
}

/** The ReplicaSet as kubectl's typed apps/v1 object encodes it (zero-valued fields without omitempty included). */
function withKind(rs: Obj): Obj {
  const out: Obj = { apiVersion: 'apps/v1', kind: 'ReplicaSet', ...structuredClone(rs) };
  if (out.spec?.template) out.spec.template.metadata = { creationTimestamp: null, ...(out.spec.template.metadata ?? {}) };
  out.status = { replicas: 0, ...(out.status ?? {}) };
  return out;
}
