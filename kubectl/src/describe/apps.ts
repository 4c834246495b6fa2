// The DaemonSet, StatefulSet, Job and Endpoints describers: status counts, Pods Status of the pods they control, the pod
// template, volume claim templates, events.
import { formatLabelSelector } from '@k8ts/api/labels.ts';
import { PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, rfc1123z } from './writer.ts';
import { humanDuration } from '@k8ts/api/age.ts';
import { printLabelsMultiline, printAnnotationsMultiline, describeEvents, printController } from './common.ts';
import { describePodTemplate } from './describers.ts';
import { podStatusForController } from './generic.ts';

type Obj = Record<string, any>;

function podsStatus(w: PrefixWriter, pods: Obj[], uid: string): void {
  const s = podStatusForController(pods, uid);
  w.write(LEVEL_0, `Pods Status:\t${s.running} Running / ${s.waiting} Waiting / ${s.succeeded} Succeeded / ${s.failed} Failed\n`);
}

export function describeDaemonSet(ds: Obj, pods: Obj[], events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = ds.metadata ?? {}, spec = ds.spec ?? {}, st = ds.status ?? {};
  const nodeSelector = spec.template?.spec?.nodeSelector ?? {};
  const ns = Object.keys(nodeSelector).sort().map((k) => `${k}=${nodeSelector[k]}`).join(',');
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  w.write(LEVEL_0, `Node-Selector:\t${ns || '<none>'}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
  w.write(LEVEL_0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
  podsStatus(w, pods, m.uid);
  describePodTemplate(w, spec.template);
  describeEvents(w, events);
  return w.toString();
}

function describeVolumeClaimTemplates(w: PrefixWriter, templates: Obj[] | undefined): void {
  if (!templates?.length) { w.write(LEVEL_0, 'Volume Claims:\t<none>\n'); return; }
  w.write(LEVEL_0, 'Volume Claims:\n');
  for (const pvc of templates) {
    const md = pvc.metadata ?? {};
    w.write(LEVEL_1, `Name:\t${md.name ?? ''}\n`);
    const cls = pvc.spec?.storageClassName ?? md.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
    w.write(LEVEL_1, `StorageClass:\t${cls}\n`);
    printLabelsMultiline(w, 'Labels', md.labels, '  ');
    printLabelsMultiline(w, 'Annotations', md.annotations, '  ');
    const cap = pvc.spec?.resources?.requests?.storage;
    w.write(LEVEL_1, `Capacity:\t${cap ?? '<default>'}\n`);
    w.write(LEVEL_1, `Access Modes:\t[${(pvc.spec?.accessModes ?? []).join(' ')}]\n`);
  }
}

export function describeStatefulSet(ss: Obj, pods: Obj[], events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = ss.metadata ?? {}, spec = ss.spec ?? {}, st = ss.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, `Replicas:\t${spec.replicas ?? 1} desired | ${st.replicas ?? 0} total\n`);
  w.write(LEVEL_0, `Update Strategy:\t${spec.updateStrategy?.type ?? ''}\n`);
  const ru = spec.updateStrategy?.rollingUpdate;
  if (ru && ru.partition !== undefined && ru.partition !== null) {
    w.write(LEVEL_1, `Partition:\t${ru.partition}\n`);
    if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) w.write(LEVEL_1, `MaxUnavailable:\t${ru.maxUnavailable}\n`);
  }
  podsStatus(w, pods, m.uid);
  describePodTemplate(w, spec.template);
  describeVolumeClaimTemplates(w, spec.volumeClaimTemplates);
  describeEvents(w, events);
  return w.toString();
}

/** The Job describer: parallelism and completions, times, pod counts from the status, the template. */
export function describeJob(job: Obj, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = job.metadata ?? {}, spec = job.spec ?? {}, st = job.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  const controlledBy = printController(job);
  if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
  w.write(LEVEL_0, `Parallelism:\t${spec.parallelism ?? 1}\n`);
  w.write(LEVEL_0, `Completions:\t${spec.completions ?? '<unset>'}\n`);
  if (spec.completionMode) w.write(LEVEL_0, `Completion Mode:\t${spec.completionMode}\n`);
  if (spec.suspend !== undefined && spec.suspend !== null) w.write(LEVEL_0, `Suspend:\t${spec.suspend}\n`);
  if (spec.backoffLimit !== undefined && spec.backoffLimit !== null) w.write(LEVEL_0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null) w.write(LEVEL_0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  if (st.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
  if (st.completionTime) w.write(LEVEL_0, `Completed At:\t${rfc1123z(st.completionTime)}\n`);
  if (st.startTime && st.completionTime) w.write(LEVEL_0, `Duration:\t${humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime))}\n`);
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  if (st.ready === undefined || st.ready === null) w.write(LEVEL_0, `Pods Statuses:\t${st.active ?? 0} Active / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
  else w.write(LEVEL_0, `Pods Statuses:\t${st.active ?? 0} Active (${st.ready} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
  if (spec.completionMode === 'Indexed') w.write(LEVEL_0, `Completed Indexes:\t${st.completedIndexes || '<none>'}\n`);
  describePodTemplate(w, spec.template);
  describeEvents(w, events);
  return w.toString();
}

/** The Endpoints describer: each subset's ready and not-ready addresses and its ports. */
export function describeEndpoints(ep: Obj, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = ep.metadata ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, 'Subsets:\n');
  for (const s of ep.subsets ?? []) {
    const ips = (xs: Obj[] | undefined) => (xs ?? []).map((a) => a.ip).join(',') || '<none>';
    w.write(LEVEL_1, `Addresses:\t${ips(s.addresses)}\n`);
    w.write(LEVEL_1, `NotReadyAddresses:\t${ips(s.notReadyAddresses)}\n`);
    if (s.ports?.length) {
      w.write(LEVEL_1, 'Ports:\n');
      w.write(LEVEL_2, 'Name\tPort\tProtocol\n');
      w.write(LEVEL_2, '----\t----\t--------\n');
      for (const p of s.ports) w.write(LEVEL_2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol ?? ''}\n`);
    }
    w.write(LEVEL_0, '\n');
  }
  describeEvents(w, events);
  return w.toString();
}
