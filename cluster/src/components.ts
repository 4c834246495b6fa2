// Command lines of the cluster's components (pure): what `up` runs, where the binaries are.
import { join } from 'node:path';
import type { NodePlan } from './net/plan.ts';

export const controlPlaneTaint = 'node-role.kubernetes.io/control-plane:NoSchedule';

export interface ComponentMains { kubelet: string; scheduler: string; controllerManager: string; kubeProxy: string; apiserver: string }

export function componentMains(repo: string): ComponentMains {
  return {
    apiserver: join(repo, 'apiserver/src/main.ts'),
    kubelet: join(repo, 'kubelet/src/main.ts'),
    scheduler: join(repo, 'scheduler/src/main.ts'),
    controllerManager: join(repo, 'controller-manager/src/main.ts'),
    kubeProxy: join(repo, 'kube-proxy/src/main.ts'),
  };
}

export function apiserverArgs(o: { etcdURL: string; address: string; port: number; certDir: string }): string[] {
  return ['--etcd-servers', o.etcdURL, '--bind-address', o.address, '--secure-port', String(o.port), '--cert-dir', o.certDir,
    '--advertise-address', o.address, '--tls-sans', o.address, '--service-cluster-ip-range', '10.96.0.0/12'];
}

/** The kubelet's --cgroup-root on a node: its own tree, as several kubelets share this machine's cgroups. */
export const nodeCgroupRoot = (nodeName: string) => `/k8ts-${nodeName}`;

export function kubeletArgs(o: { node: NodePlan; kubeconfig: string; criSocket: string; rootDir: string; tls?: { certFile: string; keyFile: string; clientCAFile: string } }): string[] {
  return [
    ...(o.tls ? ['--tls-cert-file', o.tls.certFile, '--tls-private-key-file', o.tls.keyFile, '--client-ca-file', o.tls.clientCAFile] : []),
    '--kubeconfig', o.kubeconfig,
    '--hostname-override', o.node.name,
    '--node-ip', o.node.address,
    '--pod-cidr', o.node.podCidr,
    '--container-runtime-endpoint', `unix://${o.criSocket}`,
    '--root-dir', o.rootDir,
    '--cgroup-root', nodeCgroupRoot(o.node.name),
    ...(o.node.role === 'control-plane' ? ['--register-with-taints', controlPlaneTaint] : []),
  ];
}

export function kubeProxyArgs(o: { node: NodePlan; kubeconfig: string; clusterCidr: string }): string[] {
  return ['--kubeconfig', o.kubeconfig, '--hostname-override', o.node.name, '--cluster-cidr', o.clusterCidr];
}
