// Kubeconfig files (clientcmd v1 Config) with embedded credentials, and the per-component
// kubeconfigs a cluster needs, as kubeadm writes admin.conf, scheduler.conf, controller-manager.conf, ...
// Reading them is @k8ts/client's job (readKubeconfigFile, restConfigFromKubeconfig).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { CA } from '@k8ts/apiserver/pki/index.ts';
import { issueClientCert } from '@k8ts/apiserver/pki/index.ts';

export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

export interface KubeconfigUser {
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  token?: string;
}

export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
}

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: KubeconfigUser }[];
  contexts: { name: string; context: KubeconfigContext }[];
  'current-context': string;
  preferences: Record<string, never>;
}

export interface KubeconfigParams {
  clusterName: string;
  server: string;
  caPem: string;
  user: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  namespace?: string;
  /** Defaults to `<user>@<clusterName>` as kubeadm names contexts. */
  contextName?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** One cluster, one user, one context (the current one), credentials embedded as base64 data. */
export function kubeconfigFor(p: KubeconfigParams): Kubeconfig {
  if ((p.certPem === undefined) !== (p.keyPem === undefined)) throw new Error('kubeconfig: certPem and keyPem go together');
  const user: KubeconfigUser = {};
  if (p.certPem !== undefined && p.keyPem !== undefined) {
    user['client-certificate-data'] = b64(p.certPem);
    user['client-key-data'] = b64(p.keyPem);
  }
  if (p.token !== undefined) user.token = p.token;
  const contextName = p.contextName ?? `${p.user}@${p.clusterName}`;
  const context: KubeconfigContext = { cluster: p.clusterName, user: p.user };
  if (p.namespace) context.namespace = p.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': b64(p.caPem) } }],
    users: [{ name: p.user, user }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  };
}

/** Writes the kubeconfig as YAML, mode 0600 (it holds private keys). */
export async function writeKubeconfig(path: string, config: Kubeconfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(config), { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Issues a client certificate for user/groups and writes a kubeconfig using it. */
export async function writeUserKubeconfig(
  path: string, ca: CA, server: string, identity: { user: string; groups: string[] }, clusterName = 'kubernetes',
): Promise<string> {
  const { certPem, keyPem } = await issueClientCert(ca, identity);
  await writeKubeconfig(path, kubeconfigFor({ clusterName, server, caPem: ca.certPem, user: identity.user, certPem, keyPem }));
  return path;
}

/** The control-plane identities upstream's default RBAC bindings expect. */
export const componentIdentities = {
  admin: { file: 'admin.conf', user: 'kubernetes-admin', groups: ['system:masters'] },
  scheduler: { file: 'scheduler.conf', user: 'system:kube-scheduler', groups: [] as string[] },
  controllerManager: { file: 'controller-manager.conf', user: 'system:kube-controller-manager', groups: [] as string[] },
  kubeProxy: { file: 'kube-proxy.conf', user: 'system:kube-proxy', groups: [] as string[] },
} as const;

export type ComponentKubeconfigs = Record<keyof typeof componentIdentities, string>;

/** Writes admin.conf, scheduler.conf, controller-manager.conf and kube-proxy.conf into dir; returns their paths. */
export async function writeComponentCredentials(dir: string, ca: CA, server: string, clusterName = 'kubernetes'): Promise<ComponentKubeconfigs> {
  const out = {} as ComponentKubeconfigs;
  for (const [key, id] of Object.entries(componentIdentities) as [keyof ComponentKubeconfigs, (typeof componentIdentities)[keyof ComponentKubeconfigs]][]) {
    out[key] = await writeUserKubeconfig(join(dir, id.file), ca, server, { user: id.user, groups: [...id.groups] }, clusterName);
  }
  return out;
}

/** A kubelet's kubeconfig: user system:node:<name> in group system:nodes, written to dir/kubelet-<name>.conf. */
export async function writeNodeCredentials(dir: string, ca: CA, server: string, nodeName: string, clusterName = 'kubernetes'): Promise<string> {
  return writeUserKubeconfig(join(dir, `kubelet-${nodeName}.conf`), ca, server, { user: `system:node:${nodeName}`, groups: ['system:nodes'] }, clusterName);
}
