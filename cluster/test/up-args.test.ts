// The command lines `up` builds (pure).
import { describe, it, expect } from 'vitest';
import { apiserverArgs, kubeletArgs, controlPlaneTaint } from '../src/components.ts';
import { enabledComponents } from '../src/up.ts';
import { planNetwork } from '../src/net/plan.ts';

const plan = planNetwork('args', 2, []);

describe('component command lines', () => {
  it('binds the API server to the bridge address and puts it in the serving certificate', () => {
    const a = apiserverArgs({ etcdURL: 'http://127.0.0.1:2379', address: plan.bridgeAddress, port: 6443, certDir: '/x/pki' });
    const flag = (f: string) => a[a.indexOf(f) + 1];
    expect(flag('--bind-address')).toBe(plan.bridgeAddress);
    expect(flag('--advertise-address')).toBe(plan.bridgeAddress);
    expect(flag('--tls-sans')).toBe(plan.bridgeAddress);
    expect(flag('--etcd-servers')).toBe('http://127.0.0.1:2379');
  });

  it('gives each kubelet its node name, address, pod CIDR and runtime; taints only the control plane', () => {
    const [cp, worker] = plan.nodes;
    const cpArgs = kubeletArgs({ node: cp!, kubeconfig: '/k/cp.conf', criSocket: '/n/cp/containerd.sock', rootDir: '/n/cp/kubelet' });
    const flag = (args: string[], f: string) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
    expect(flag(cpArgs, '--hostname-override')).toBe('args-control-plane');
    expect(flag(cpArgs, '--node-ip')).toBe(cp!.address);
    expect(flag(cpArgs, '--pod-cidr')).toBe('10.244.0.0/24');
    expect(flag(cpArgs, '--container-runtime-endpoint')).toBe('unix:///n/cp/containerd.sock');
    expect(flag(cpArgs, '--register-with-taints')).toBe(controlPlaneTaint);
    const wArgs = kubeletArgs({ node: worker!, kubeconfig: '/k/w.conf', criSocket: '/n/w/containerd.sock', rootDir: '/n/w/kubelet' });
    expect(flag(wArgs, '--register-with-taints')).toBeUndefined();
    expect(flag(wArgs, '--pod-cidr')).toBe('10.244.1.0/24');
  });

  it('turns optional components on or off explicitly', () => {
    expect(enabledComponents({ kubelet: false, scheduler: false, controllerManager: false, kubeProxy: false }))
      .toEqual({ kubelet: false, scheduler: false, controllerManager: false, kubeProxy: false });
    expect(enabledComponents({ kubelet: true, scheduler: true, controllerManager: true, kubeProxy: true }))
      .toEqual({ kubelet: true, scheduler: true, controllerManager: true, kubeProxy: true });
  });
});
