// The CRI ContainerConfig of a container (upstream generateContainerConfig): image, command/args
// with $(VAR) expansion, env, working dir, mounts, log path, labels/annotations, Linux resources
// and security context.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { milliValue, value as quantityValue } from '@k8ts/api/quantity.ts';
import type { ContainerConfig, KeyValue, LinuxContainerResources, LinuxContainerSecurityContext, Mount } from '../cri/types.ts';
import { getPodQOS } from '../cm/qos.ts';
import { expandVars } from './env.ts';
import { containerAnnotations, containerLabels, type ContainerType } from './labels.ts';

export const cpuPeriodUs = 100_000;
const minShares = 2;

/** Linux resources of a container: cpu shares from requests, cpu quota and memory limit from limits. */
export function linuxContainerResources(pod: Pod, c: Container, nodeMemoryBytes: number): LinuxContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const out: LinuxContainerResources = {
    cpuShares: cpuReq ? Math.max(minShares, Math.floor(milliValue(cpuReq) * 1024 / 1000)) : minShares,
  };
  if (lim.cpu) { out.cpuPeriod = cpuPeriodUs; out.cpuQuota = Math.max(1000, Math.floor(milliValue(lim.cpu) * cpuPeriodUs / 1000)); }
  if (lim.memory) out.memoryLimitInBytes = quantityValue(lim.memory);
  const qos = getPodQOS(pod);
  if (qos === 'Guaranteed') out.oomScoreAdj = -997;
  else if (qos === 'BestEffort') out.oomScoreAdj = 1000;
  else {
    const memReq = req.memory ? quantityValue(req.memory) : 0;
    const adj = 1000 - Math.floor((1000 * memReq) / Math.max(nodeMemoryBytes, 1));
    out.oomScoreAdj = Math.min(999, Math.max(2, adj));
  }
  return out;
}

export function containerSecurityContext(pod: Pod, c: Container): LinuxContainerSecurityContext {
  const p = pod.spec?.securityContext;
  const s = c.securityContext;
  const runAsUser = s?.runAsUser ?? p?.runAsUser;
  const runAsGroup = s?.runAsGroup ?? p?.runAsGroup;
  return {
    privileged: s?.privileged ?? false,
    readonlyRootfs: s?.readOnlyRootFilesystem ?? false,
    runAsUser: runAsUser !== undefined ? { value: runAsUser } : undefined,
    runAsGroup: runAsGroup !== undefined ? { value: runAsGroup } : undefined,
    supplementalGroups: p?.supplementalGroups,
    noNewPrivs: s?.allowPrivilegeEscalation === false,
    capabilities: s?.capabilities ? {
      addCapabilities: (s.capabilities.add ?? []).map(capName),
      dropCapabilities: (s.capabilities.drop ?? []).map(capName),
    } : undefined,
    namespaceOptions: {
      network: pod.spec?.hostNetwork ? 'NODE' : 'POD',
      pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
      ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
    },
  };
}

const capName = (c: string) => (c === 'ALL' || c.startsWith('CAP_') ? c : `CAP_${c}`);

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  type: ContainerType;
  restartCount: number;
  /** The image reference (id) the runtime resolved. */
  imageRef: string;
  env: KeyValue[];
  mounts: Mount[];
  nodeMemoryBytes: number;
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const { pod, container: c } = i;
  const vars = Object.fromEntries(i.env.map((e) => [e.key, e.value]));
  return {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.imageRef, userSpecifiedImage: c.image ?? '' },
    command: (c.command ?? []).map((s) => expandVars(s, vars)),
    args: (c.args ?? []).map((s) => expandVars(s, vars)),
    workingDir: c.workingDir ?? '',
    envs: i.env,
    mounts: i.mounts,
    labels: containerLabels(pod, c, i.type),
    annotations: containerAnnotations(pod, c, i.restartCount),
    logPath: `${c.name}/${i.restartCount}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: linuxContainerResources(pod, c, i.nodeMemoryBytes), securityContext: containerSecurityContext(pod, c) },
  };
}
