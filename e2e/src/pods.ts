// Pod manifests and views the e2e tests share.
import type { Pod } from 'kubernetes-types/core/v1';

export interface PodView {
  phase?: string;
  nodeName?: string;
  podIP?: string;
  ready: boolean;
  restartCount: number;
  waitingReason?: string;
  exitCode?: number;
  lastExitCode?: number;
  containerID?: string;
}

export function podView(p: Pod): PodView {
  const cs = p.status?.containerStatuses?.[0];
  return {
    phase: p.status?.phase,
    nodeName: p.spec?.nodeName,
    podIP: p.status?.podIP,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restartCount: cs?.restartCount ?? 0,
    waitingReason: cs?.state?.waiting?.reason,
    exitCode: cs?.state?.terminated?.exitCode,
    lastExitCode: cs?.lastState?.terminated?.exitCode,
    containerID: cs?.containerID,
  };
}

/** A one-container busybox pod (grace period 1 s so deletion is quick). */
export function busyboxPod(name: string, command: string[], extra: { spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      terminationGracePeriodSeconds: 1,
      ...extra.spec,
      containers: [{ name: 'main', image: 'busybox', command, ...extra.container }],
    },
  });
}
