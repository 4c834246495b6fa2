import { describe, it, expect } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { computePodActions, podSandboxChanged } from '../src/pod-workers/compute-pod-actions.ts';
import { hashContainer } from '../src/kuberuntime/labels.ts';
import type { ContainerRuntimeStatus, PodRuntimeState, SandboxRuntimeStatus } from '../src/kuberuntime/runtime-state.ts';

const pod = (o: { restartPolicy?: string; init?: string[]; containers?: string[]; hostNetwork?: boolean } = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: {
    restartPolicy: o.restartPolicy ?? 'Always',
    hostNetwork: o.hostNetwork,
    initContainers: o.init?.map((name) => ({ name, image: 'busybox' })),
    containers: (o.containers ?? ['app']).map((name) => ({ name, image: 'busybox' })),
  },
});

let t = 1;
const sandbox = (o: Partial<SandboxRuntimeStatus> = {}): SandboxRuntimeStatus =>
  ({ id: `s${t}`, attempt: 0, state: 'SANDBOX_READY', createdAt: t++, ip: '10.0.0.2', additionalIps: [], hostNetwork: false, ...o });
const ctr = (p: Pod, name: string, o: Partial<ContainerRuntimeStatus> = {}): ContainerRuntimeStatus => {
  const spec = [...(p.spec!.initContainers ?? []), ...p.spec!.containers].find((c) => c.name === name)!;
  return {
    id: `c${t}`, podSandboxId: 's', name, type: 'CONTAINER', state: 'CONTAINER_RUNNING', createdAt: t++, startedAt: 1, finishedAt: 0,
    exitCode: 0, reason: '', message: '', image: 'busybox', imageRef: 'sha256:x', restartCount: 0, hash: hashContainer(spec), logPath: '', ...o,
  };
};
const state = (sandboxes: SandboxRuntimeStatus[], containers: ContainerRuntimeStatus[]): PodRuntimeState => ({
  uid: 'u1', name: 'p', namespace: 'default',
  sandboxes: [...sandboxes].sort((a, b) => b.createdAt - a.createdAt), containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
});

describe('computePodActions', () => {
  it('creates the sandbox and starts every container of a new pod', () => {
    const a = computePodActions(pod({ containers: ['a', 'b'] }), state([], []));
    expect(a).toMatchObject({ createSandbox: true, killPod: true, attempt: 0, containersToStart: [0, 1], containersToKill: [] });
    expect(a.nextInitContainerToStart).toBeUndefined();
  });

  it('does nothing for a running pod (adoption: the runtime state is enough)', () => {
    const p = pod();
    const a = computePodActions(p, state([sandbox()], [ctr(p, 'app')]));
    expect(a).toMatchObject({ createSandbox: false, killPod: false, containersToStart: [], containersToKill: [] });
  });

  it('recreates a sandbox that is not ready with the next attempt', () => {
    const p = pod();
    const a = computePodActions(p, state([sandbox({ state: 'SANDBOX_NOTREADY', attempt: 2 })], [ctr(p, 'app', { state: 'CONTAINER_EXITED', exitCode: 137 })]));
    expect(a).toMatchObject({ createSandbox: true, killPod: true, attempt: 3, containersToStart: [0] });
    expect(podSandboxChanged(pod({ hostNetwork: true }), state([sandbox()], [])).create).toBe(true);
    expect(podSandboxChanged(p, state([sandbox({ ip: '' })], [])).create).toBe(true);
  });

  it('applies the restart policy to exited containers', () => {
    for (const [policy, exitCode, restart] of [
      ['Always', 0, true], ['Always', 1, true], ['OnFailure', 0, false], ['OnFailure', 2, true], ['Never', 0, false], ['Never', 1, false],
    ] as const) {
      const p = pod({ restartPolicy: policy, containers: ['a', 'b'] });
      const a = computePodActions(p, state([sandbox()], [ctr(p, 'a', { state: 'CONTAINER_EXITED', exitCode }), ctr(p, 'b')]));
      expect(a.containersToStart, `${policy} exit ${exitCode}`).toEqual(restart ? [0] : []);
      expect(a.killPod).toBe(false); // b still runs
    }
  });

  it('kills the pod (sandbox) when nothing runs and nothing will start', () => {
    const p = pod({ restartPolicy: 'Never' });
    const a = computePodActions(p, state([sandbox()], [ctr(p, 'app', { state: 'CONTAINER_EXITED', exitCode: 1 })]));
    expect(a).toMatchObject({ killPod: true, createSandbox: false, containersToStart: [] });
    // ... and does not bring a Never pod back once its sandbox is gone.
    const b = computePodActions(p, state([sandbox({ state: 'SANDBOX_NOTREADY' })], [ctr(p, 'app', { state: 'CONTAINER_EXITED', exitCode: 1 })]));
    expect(b).toMatchObject({ killPod: true, createSandbox: false });
    // OnFailure with every container succeeded: no new sandbox either.
    const q = pod({ restartPolicy: 'OnFailure' });
    const c = computePodActions(q, state([sandbox({ state: 'SANDBOX_NOTREADY' })], [ctr(q, 'app', { state: 'CONTAINER_EXITED', exitCode: 0 })]));
    expect(c).toMatchObject({ killPod: true, createSandbox: false });
  });

  it('runs init containers one at a time, in order, before app containers', () => {
    const p = pod({ init: ['i1', 'i2'], containers: ['a'] });
    const init = (name: string, o: Partial<ContainerRuntimeStatus>) => ctr(p, name, { type: 'INIT', ...o });
    expect(computePodActions(p, state([], [])).nextInitContainerToStart).toBe(0);
    expect(computePodActions(p, state([], [])).containersToStart).toEqual([]);
    const s = sandbox();
    expect(computePodActions(p, state([s], [init('i1', {})]))).toMatchObject({ containersToStart: [], killPod: false });
    expect(computePodActions(p, state([s], [init('i1', {})])).nextInitContainerToStart).toBeUndefined();
    expect(computePodActions(p, state([s], [init('i1', { state: 'CONTAINER_EXITED', exitCode: 0 })])).nextInitContainerToStart).toBe(1);
    const done = [init('i1', { state: 'CONTAINER_EXITED', exitCode: 0 }), init('i2', { state: 'CONTAINER_EXITED', exitCode: 0 })];
    const a = computePodActions(p, state([s], done));
    expect(a.nextInitContainerToStart).toBeUndefined();
    expect(a.containersToStart).toEqual([0]);
    // A failed init container restarts (Always/OnFailure) or fails the pod (Never).
    const failed = [init('i1', { state: 'CONTAINER_EXITED', exitCode: 1 })];
    expect(computePodActions(p, state([s], failed)).nextInitContainerToStart).toBe(0);
    const never = pod({ restartPolicy: 'Never', init: ['i1'], containers: ['a'] });
    expect(computePodActions(never, state([s], [ctr(never, 'i1', { type: 'INIT', state: 'CONTAINER_EXITED', exitCode: 1 })]))).toMatchObject({ killPod: true, containersToStart: [] });
  });

  it('restarts a container whose spec changed or whose liveness probe failed', () => {
    const p = pod();
    const running = ctr(p, 'app', { hash: 'deadbeef' });
    const a = computePodActions(p, state([sandbox()], [running]));
    expect(a.containersToKill).toEqual([{ id: running.id, name: 'app', reason: 'Changed', message: 'Container app definition changed' }]);
    expect(a.containersToStart).toEqual([0]);
    const healthy = ctr(p, 'app');
    const b = computePodActions(p, state([sandbox()], [healthy]), { livenessFailed: new Set([healthy.id]) });
    expect(b.containersToKill.map((k) => k.reason)).toEqual(['Unhealthy']);
    expect(b.containersToStart).toEqual([0]);
    const never = pod({ restartPolicy: 'Never' });
    const n = ctr(never, 'app');
    expect(computePodActions(never, state([sandbox()], [n]), { livenessFailed: new Set([n.id]) }).containersToStart).toEqual([]);
  });
});
