// The describers for pods, deployments, services, nodes and namespaces (kubectl's describe.go output).
import { formatLabelSelector } from '@k8ts/api/labels.ts';
import { translateTimestampSince } from '@k8ts/api/age.ts';
import { milliValue, value as quantityValue, fromMilli, canonicalQuantity } from '@k8ts/api/quantity.ts';
import { PrefixWriter, LEVEL_0, LEVEL_1, rfc1123z } from './writer.ts';
import {
  printLabelsMultiline, printAnnotationsMultiline, printTolerationsMultiline, printTaintsMultiline,
  describeContainers, describeVolumes, describeEvents, printController,
} from './common.ts';

type Obj = Record<string, any>;

/** The QoS class as the kubelet computes it when the status does not say. */
function podQOS(pod: Obj): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const cs: Obj[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false, guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {}, lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && milliValue(req[r]) !== milliValue(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function describePod(pod: Obj, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = pod.metadata ?? {}, spec = pod.spec ?? {}, status = pod.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(LEVEL_0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(LEVEL_0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(LEVEL_0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  if (m.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(LEVEL_0, `Status:\tTerminating (lasts ${translateTimestampSince(m.deletionTimestamp)})\n`);
    w.write(LEVEL_0, `Termination Grace Period:\t${m.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(LEVEL_0, `Status:\t${status.phase ?? ''}\n`);
  }
  if (status.reason) w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(LEVEL_0, `Message:\t${status.message}\n`);
  if (spec.securityContext?.seccompProfile) {
    w.write(LEVEL_0, `SeccompProfile:\t${spec.securityContext.seccompProfile.type}\n`);
    if (spec.securityContext.seccompProfile.type === 'Localhost') w.write(LEVEL_0, `LocalhostProfile:\t${spec.securityContext.seccompProfile.localhostProfile}\n`);
  }
  w.write(LEVEL_0, `IP:\t${status.podIP ?? ''}\n`);
  if (!status.podIPs?.length) w.write(LEVEL_0, 'IPs:\t<none>\n');
  else {
    w.write(LEVEL_0, 'IPs:\n');
    for (const ip of status.podIPs) w.write(LEVEL_1, `IP:\t${ip.ip}\n`);
  }
  const ctl = printController(pod);
  if (ctl) w.write(LEVEL_0, `Controlled By:\t${ctl}\n`);
  if (status.nominatedNodeName) w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses, pod, '');
  describeContainers(w, 'Containers', spec.containers, status.containerStatuses, pod, '');
  if (spec.readinessGates?.length) {
    w.write(LEVEL_0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of spec.readinessGates) {
      const c = (status.conditions ?? []).find((x: Obj) => x.type === g.conditionType);
      w.write(LEVEL_1, `${g.conditionType} \t${c ? c.status : '<none>'} \n`);
    }
  }
  if (status.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
    for (const c of status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes, '');
  w.write(LEVEL_0, `QoS Class:\t${podQOS(pod)}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, 'Tolerations', spec.tolerations);
  describeEvents(w, events);
  return w.toString();
}

export function describePodTemplate(w: PrefixWriter, t: Obj | undefined): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!t) { w.write(LEVEL_1, '<unset>'); return; }
  printLabelsMultiline(w, '  Labels', t.metadata?.labels);
  if (t.metadata?.annotations && Object.keys(t.metadata.annotations).length) printAnnotationsMultiline(w, '  Annotations', t.metadata.annotations);
  const spec = t.spec ?? {};
  if (spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, undefined, '  ');
  describeContainers(w, 'Containers', spec.containers, undefined, undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  if (spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, '  Tolerations', spec.tolerations);
}

function intOrPercent(v: unknown, dflt: string): string {
  return v === undefined || v === null ? dflt : String(v);
}

function withoutHash(t: Obj | undefined): string {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels['pod-template-hash'];
  return JSON.stringify(sortDeep(c));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Obj)[k])]));
  return v;
}

function printReplicaSets(rss: Obj[]): string {
  const s = rss.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
  return s || '<none>';
}

export function describeDeployment(d: Obj, replicaSets: Obj[], events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = d.metadata ?? {}, spec = d.spec ?? {}, status = d.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  w.write(LEVEL_0, `Replicas:\t${spec.replicas ?? 0} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`);
  w.write(LEVEL_0, `StrategyType:\t${spec.strategy?.type ?? ''}\n`);
  w.write(LEVEL_0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.write(LEVEL_0, `RollingUpdateStrategy:\t${intOrPercent(ru.maxUnavailable, '0')} max unavailable, ${intOrPercent(ru.maxSurge, '0')} max surge\n`);
  describePodTemplate(w, spec.template);
  if (status.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(LEVEL_1, '----\t------\t------\n');
    for (const c of status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  const owned = replicaSets.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((r: Obj) => r.controller && r.uid === m.uid));
  const want = withoutHash(spec.template);
  const newRS = owned.filter((rs) => withoutHash(rs.spec?.template) === want)
    .sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp))[0];
  const oldRSs = owned.filter((rs) => rs !== newRS && (rs.spec?.replicas ?? 0) > 0);
  if (oldRSs.length || newRS) {
    w.write(LEVEL_0, `OldReplicaSets:\t${printReplicaSets(oldRSs)}\n`);
    w.write(LEVEL_0, `NewReplicaSet:\t${printReplicaSets(newRS ? [newRS] : [])}\n`);
  }
  describeEvents(w, events);
  return w.toString();
}

function formatEndpointSlices(slices: Obj[], portName: string | undefined): string {
  if (!slices.length) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false, count = 0;
  for (const s of slices) {
    const eps: Obj[] = s.endpoints ?? [];
    if (!s.ports?.length) {
      for (const e of eps) { if (list.length === max) more = true; if (!more) list.push(e.addresses[0]); count++; }
      continue;
    }
    for (const p of s.ports) {
      if ((p.name ?? '') !== (portName ?? '')) continue;
      for (const e of eps) {
        if (list.length === max) more = true;
        const a = e.addresses[0];
        if (!more) list.push(a.includes(':') ? `[${a}]:${p.port}` : `${a}:${p.port}`);
        count++;
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export function describeService(svc: Obj, slices: Obj[], events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = svc.metadata ?? {}, spec = svc.spec ?? {}, status = svc.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  w.write(LEVEL_0, `Namespace:\t${m.namespace}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  const sel = Object.keys(spec.selector ?? {}).sort().map((k) => `${k}=${spec.selector[k]}`).join(',');
  w.write(LEVEL_0, `Selector:\t${sel || '<none>'}\n`);
  w.write(LEVEL_0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(LEVEL_0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(LEVEL_0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  w.write(LEVEL_0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(LEVEL_0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if (spec.externalIPs?.length) w.write(LEVEL_0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.loadBalancerIP) w.write(LEVEL_0, `IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) w.write(LEVEL_0, `External Name:\t${spec.externalName}\n`);
  const ingress: Obj[] = status.loadBalancer?.ingress ?? [];
  if (ingress.length) w.write(LEVEL_0, `LoadBalancer Ingress:\t${ingress.map((i) => i.ip || i.hostname).join(', ')}\n`);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const proto = p.protocol ?? 'TCP';
    w.write(LEVEL_0, `Port:\t${name}\t${p.port}/${proto}\n`);
    w.write(LEVEL_0, `TargetPort:\t${p.targetPort ?? p.port}/${proto}\n`);
    if (p.nodePort) w.write(LEVEL_0, `NodePort:\t${name}\t${p.nodePort}/${proto}\n`);
    w.write(LEVEL_0, `Endpoints:\t${formatEndpointSlices(slices, p.name)}\n`);
  }
  w.write(LEVEL_0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
  if (spec.externalTrafficPolicy) w.write(LEVEL_0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(LEVEL_0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(LEVEL_0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (spec.loadBalancerSourceRanges?.length) w.write(LEVEL_0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(',')}\n`);
  describeEvents(w, events);
  return w.toString();
}

export function describeNamespace(ns: Obj, quotas: Obj[] | undefined, limitRanges: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = ns.metadata ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, `Status:\t${ns.status?.phase ?? ''}\n`);
  if (quotas) { w.write(LEVEL_0, '\n'); if (!quotas.length) w.write(LEVEL_0, 'No resource quota.\n'); }
  if (limitRanges) { w.write(LEVEL_0, '\n'); if (!limitRanges.length) w.write(LEVEL_0, 'No LimitRange resource.\n'); }
  return w.toString();
}

const nodeRolePrefix = 'node-role.kubernetes.io/';

function sumResources(pods: Obj[], which: 'requests' | 'limits'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pods) {
    for (const c of p.spec?.containers ?? []) {
      const r = c.resources?.[which] ?? {};
      for (const k of Object.keys(r)) out.set(k, [...(out.get(k) ?? []), r[k]]);
    }
  }
  return out;
}

function total(qs: string[] | undefined, cpu: boolean): { text: string; milli: number; value: number } {
  if (!qs?.length) return { text: '0', milli: 0, value: 0 };
  const milli = qs.reduce((a, q) => a + milliValue(q), 0);
  const value = qs.reduce((a, q) => a + quantityValue(q), 0);
  const text = cpu ? fromMilli(milli) : qs.length === 1 ? canonicalQuantity(qs[0]) : canonicalQuantity(String(value));
  return { text, milli, value };
}

export function describeNode(node: Obj, lease: Obj | undefined, leaseErr: string | undefined, pods: Obj[] | undefined, events: Obj[] | undefined): string {
  const w = new PrefixWriter();
  const m = node.metadata ?? {}, spec = node.spec ?? {}, status = node.status ?? {};
  w.write(LEVEL_0, `Name:\t${m.name}\n`);
  const roles = Object.keys(m.labels ?? {}).filter((k) => k.startsWith(nodeRolePrefix)).map((k) => k.slice(nodeRolePrefix.length)).filter(Boolean);
  if (m.labels?.['kubernetes.io/role']) roles.push(m.labels['kubernetes.io/role']);
  w.write(LEVEL_0, `Roles:\t${roles.length ? [...new Set(roles)].sort().join(',') : '<none>'}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  printTaintsMultiline(w, 'Taints', spec.taints);
  w.write(LEVEL_0, `Unschedulable:\t${!!spec.unschedulable}\n`);
  if (!lease) {
    w.write(LEVEL_0, `Lease:\tFailed to get lease: ${leaseErr ?? ''}\n`);
  } else {
    w.write(LEVEL_0, 'Lease:\n');
    w.write(LEVEL_1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? '<unset>'}\n`);
    w.write(LEVEL_1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : '<unset>'}\n`);
    w.write(LEVEL_1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : '<unset>'}\n`);
  }
  if (status.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of status.conditions) {
      w.write(LEVEL_1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
    }
  }
  w.write(LEVEL_0, 'Addresses:\n');
  for (const a of status.addresses ?? []) w.write(LEVEL_1, `${a.type}:\t${a.address}\n`);
  const printResources = (r: Record<string, string>) => {
    for (const k of Object.keys(r).sort()) w.write(LEVEL_0, `  ${k}:\t${r[k]}\n`);
  };
  if (status.capacity && Object.keys(status.capacity).length) { w.write(LEVEL_0, 'Capacity:\n'); printResources(status.capacity); }
  if (status.allocatable && Object.keys(status.allocatable).length) { w.write(LEVEL_0, 'Allocatable:\n'); printResources(status.allocatable); }
  const info = status.nodeInfo ?? {};
  w.write(LEVEL_0, 'System Info:\n');
  w.write(LEVEL_0, `  Machine ID:\t${info.machineID ?? ''}\n`);
  w.write(LEVEL_0, `  System UUID:\t${info.systemUUID ?? ''}\n`);
  w.write(LEVEL_0, `  Boot ID:\t${info.bootID ?? ''}\n`);
  w.write(LEVEL_0, `  Kernel Version:\t${info.kernelVersion ?? ''}\n`);
  w.write(LEVEL_0, `  OS Image:\t${info.osImage ?? ''}\n`);
  w.write(LEVEL_0, `  Operating System:\t${info.operatingSystem ?? ''}\n`);
  w.write(LEVEL_0, `  Architecture:\t${info.architecture ?? ''}\n`);
  w.write(LEVEL_0, `  Container Runtime Version:\t${info.containerRuntimeVersion ?? ''}\n`);
  w.write(LEVEL_0, `  Kubelet Version:\t${info.kubeletVersion ?? ''}\n`);
  w.write(LEVEL_0, `  Kube-Proxy Version:\t${info.kubeProxyVersion ?? ''}\n`);
  if (spec.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (spec.podCIDRs?.length) w.write(LEVEL_0, `PodCIDRs:\t${spec.podCIDRs.join(',')}\n`);
  if (spec.providerID) w.write(LEVEL_0, `ProviderID:\t${spec.providerID}\n`);
  if (!pods) {
    w.write(LEVEL_0, 'Pods:\tnot authorized\n');
  } else {
    const alloc: Record<string, string> = status.allocatable && Object.keys(status.allocatable).length ? status.allocatable : status.capacity ?? {};
    const allocCpu = alloc.cpu ? milliValue(alloc.cpu) : 0;
    const allocMem = alloc.memory ? quantityValue(alloc.memory) : 0;
    const allocEph = alloc['ephemeral-storage'] ? quantityValue(alloc['ephemeral-storage']) : 0;
    const pct = (x: number, of: number) => (of ? Math.trunc((x / of) * 100) : 0);
    w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
    w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
    w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
    for (const p of pods) {
      const req = sumResources([p], 'requests'), lim = sumResources([p], 'limits');
      const cr = total(req.get('cpu'), true), cl = total(lim.get('cpu'), true);
      const mr = total(req.get('memory'), false), ml = total(lim.get('memory'), false);
      w.write(LEVEL_1, `${p.metadata.namespace}\t${p.metadata.name}\t\t${cr.text} (${pct(cr.milli, allocCpu)}%)\t${cl.text} (${pct(cl.milli, allocCpu)}%)\t${mr.text} (${pct(mr.value, allocMem)}%)\t${ml.text} (${pct(ml.value, allocMem)}%)\t${translateTimestampSince(p.metadata.creationTimestamp)}\n`);
    }
    w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
    w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
    w.write(LEVEL_1, '--------\t--------\t------\n');
    const reqs = sumResources(pods, 'requests'), lims = sumResources(pods, 'limits');
    const cr = total(reqs.get('cpu'), true), cl = total(lims.get('cpu'), true);
    const mr = total(reqs.get('memory'), false), ml = total(lims.get('memory'), false);
    const er = total(reqs.get('ephemeral-storage'), false), el = total(lims.get('ephemeral-storage'), false);
    w.write(LEVEL_1, `cpu\t${cr.text} (${pct(cr.milli, allocCpu)}%)\t${cl.text} (${pct(cl.milli, allocCpu)}%)\n`);
    w.write(LEVEL_1, `memory\t${mr.text} (${pct(mr.value, allocMem)}%)\t${ml.text} (${pct(ml.value, allocMem)}%)\n`);
    w.write(LEVEL_1, `ephemeral-storage\t${er.text} (${pct(er.value, allocEph)}%)\t${el.text} (${pct(el.value, allocEph)}%)\n`);
    for (const k of Object.keys(alloc).filter((x) => x.startsWith('hugepages-')).sort()) {
      const hr = total(reqs.get(k), false), hl = total(lims.get(k), false);
      const of = quantityValue(alloc[k]);
      w.write(LEVEL_1, `${k}\t${hr.text} (${pct(hr.value, of)}%)\t${hl.text} (${pct(hl.value, of)}%)\n`);
    }
  }
  describeEvents(w, events);
  return w.toString();
}
