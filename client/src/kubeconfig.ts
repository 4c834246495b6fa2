// Loading client configuration the way kubectl and client-go's clientcmd do: --kubeconfig, KUBECONFIG
// (colon-separated, merged: the first file to define a name or current-context wins), ~/.kube/config,
// or in-cluster (service account) / explicit flags.
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, delimiter } from 'node:path';
import { decodeKubeconfig, readKubeconfigDocument } from './kubeconfig-decode.ts';

/** What a RestClient needs to reach one API server as one user. */
export interface RestConfig {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read on every request when set (projected service account tokens rotate). */
  tokenFile?: string;
  insecureSkipTLSVerify: boolean;
  /** SNI / verification name when it differs from the server's host (kubeconfig tls-server-name). */
  tlsServerName?: string;
  namespace: string;
  contextName: string;
  userAgent?: string;
  /** Client-side rate limit (client-go default 5 qps, burst 10); 0 disables. */
  qps?: number;
  burst?: number;
}

export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
}
export interface KubeconfigContext { cluster?: string; user?: string; namespace?: string }

/** A kubeconfig after merging, with file paths already made absolute. */
export interface Kubeconfig {
  currentContext?: string;
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
interface RawKubeconfig {
  'current-context'?: string;
  clusters?: Named<KubeconfigCluster>[] | null;
  users?: Named<KubeconfigUser>[] | null;
  contexts?: Named<KubeconfigContext>[] | null;
}

export function emptyKubeconfig(): Kubeconfig {
  return { clusters: new Map(), users: new Map(), contexts: new Map() };
}

function absolutize(base: string, p: string | undefined): string | undefined {
  if (!p) return p;
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Parses one kubeconfig document (YAML or JSON); relative paths resolve against `baseDir`. */
export function parseKubeconfig(text: string, baseDir = process.cwd()): Kubeconfig {
  return fromDocument(decodeKubeconfig(text) as RawKubeconfig, baseDir);
}

function fromDocument(raw: RawKubeconfig, baseDir: string): Kubeconfig {
  const out = emptyKubeconfig();
  if (raw['current-context']) out.currentContext = raw['current-context'];
  for (const c of raw.clusters ?? []) {
    const v = { ...(c.cluster ?? {}) };
    v['certificate-authority'] = absolutize(baseDir, v['certificate-authority']);
    if (!out.clusters.has(c.name)) out.clusters.set(c.name, v);
  }
  for (const u of raw.users ?? []) {
    const v = { ...(u.user ?? {}) };
    v.tokenFile = absolutize(baseDir, v.tokenFile);
    v['client-certificate'] = absolutize(baseDir, v['client-certificate']);
    v['client-key'] = absolutize(baseDir, v['client-key']);
    if (!out.users.has(u.name)) out.users.set(u.name, v);
  }
  for (const c of raw.contexts ?? []) {
    if (!out.contexts.has(c.name)) out.contexts.set(c.name, { ...(c.context ?? {}) });
  }
  return out;
}

/** Merges in order; as clientcmd, the first definition of each name (and the first current-context) wins. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const out = emptyKubeconfig();
  for (const c of configs) {
    if (!out.currentContext && c.currentContext) out.currentContext = c.currentContext;
    for (const [k, v] of c.clusters) if (!out.clusters.has(k)) out.clusters.set(k, v);
    for (const [k, v] of c.users) if (!out.users.has(k)) out.users.set(k, v);
    for (const [k, v] of c.contexts) if (!out.contexts.has(k)) out.contexts.set(k, v);
  }
  return out;
}

export function readKubeconfigFile(path: string): Kubeconfig {
  return fromDocument(readKubeconfigDocument(path) as RawKubeconfig, dirname(resolve(path)));
}

export interface LoadOptions {
  /** --kubeconfig: a single explicit file, which must exist. */
  kubeconfig?: string;
  /** --context, --cluster, --user, --namespace, --server, --token, --insecure-skip-tls-verify overrides. */
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The kubeconfig files that apply, in precedence order (clientcmd's loading rules). */
export function kubeconfigPaths(o: LoadOptions = {}): string[] {
  if (o.kubeconfig) return [o.kubeconfig];
  const env = o.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((p) => p && existsSync(p));
  const def = join(o.home ?? homedir(), '.kube', 'config');
  return existsSync(def) ? [def] : [];
}

export function loadKubeconfig(o: LoadOptions = {}): Kubeconfig {
  if (o.kubeconfig && !existsSync(o.kubeconfig)) throw new Error(`stat ${o.kubeconfig}: no such file or directory`);
  return mergeKubeconfigs(kubeconfigPaths(o).map(readKubeconfigFile));
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFileSync(file);
  return undefined;
}

/** Resolves a merged kubeconfig plus overrides to a RestConfig (clientcmd's ClientConfig). */
export function restConfigFromKubeconfig(kc: Kubeconfig, o: LoadOptions = {}): RestConfig {
  const contextName = o.context ?? kc.currentContext ?? '';
  const ctx = contextName ? kc.contexts.get(contextName) : undefined;
  if (contextName && !ctx && o.context) throw new Error(`context "${contextName}" does not exist`);
  const clusterName = o.cluster ?? ctx?.cluster;
  const userName = o.user ?? ctx?.user;
  const cluster = clusterName ? kc.clusters.get(clusterName) : undefined;
  if (clusterName && !cluster && !o.server) throw new Error(`cluster "${clusterName}" does not exist`);
  const user = (userName ? kc.users.get(userName) : undefined) ?? {};
  const server = o.server ?? cluster?.server;
  if (!server) throw new Error('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  const insecure = o.insecureSkipTLSVerify ?? cluster?.['insecure-skip-tls-verify'] ?? false;
  const cfg: RestConfig = {
    server: server.replace(/\/+$/, ''),
    insecureSkipTLSVerify: insecure,
    namespace: o.namespace || ctx?.namespace || 'default',
    contextName,
  };
  if (cluster?.['tls-server-name']) cfg.tlsServerName = cluster['tls-server-name'];
  if (!insecure) {
    const ca = fileOrData(cluster?.['certificate-authority'], cluster?.['certificate-authority-data']);
    if (ca) cfg.ca = ca;
  }
  const cert = fileOrData(user['client-certificate'], user['client-certificate-data']);
  const key = fileOrData(user['client-key'], user['client-key-data']);
  if (cert) cfg.cert = cert;
  if (key) cfg.key = key;
  if (o.token) cfg.token = o.token;
  else if (user.token) cfg.token = user.token;
  else if (user.tokenFile) { cfg.tokenFile = user.tokenFile; cfg.token = readFileSync(user.tokenFile, 'utf8').trim(); }
  return cfg;
}

/** --kubeconfig / KUBECONFIG / ~/.kube/config → RestConfig. */
export function loadRestConfig(o: LoadOptions = {}): RestConfig {
  return restConfigFromKubeconfig(loadKubeconfig(o), o);
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** rest.InClusterConfig: KUBERNETES_SERVICE_HOST/PORT plus the mounted service account token and CA. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = serviceAccountDir): RestConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const h = host.includes(':') ? `[${host}]` : host;
  const tokenFile = join(dir, 'token');
  const cfg: RestConfig = {
    server: `https://${h}:${port}`,
    tokenFile,
    token: readFileSync(tokenFile, 'utf8').trim(),
    insecureSkipTLSVerify: false,
    namespace: existsSync(join(dir, 'namespace')) ? readFileSync(join(dir, 'namespace'), 'utf8').trim() : 'default',
    contextName: '',
  };
  if (existsSync(join(dir, 'ca.crt'))) cfg.ca = readFileSync(join(dir, 'ca.crt'));
  return cfg;
}

export interface FlagConfig {
  server: string;
  token?: string;
  tokenFile?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTLSVerify?: boolean;
  namespace?: string;
}

/** A RestConfig from explicit component flags (e.g. --master with --token / --client-certificate ...). */
export function configFromFlags(f: FlagConfig): RestConfig {
  const cfg: RestConfig = {
    server: f.server.replace(/\/+$/, ''),
    insecureSkipTLSVerify: f.insecureSkipTLSVerify ?? false,
    namespace: f.namespace ?? 'default',
    contextName: '',
  };
  if (f.certificateAuthority) cfg.ca = readFileSync(f.certificateAuthority);
  if (f.clientCertificate) cfg.cert = readFileSync(f.clientCertificate);
  if (f.clientKey) cfg.key = readFileSync(f.clientKey);
  if (f.token) cfg.token = f.token;
  else if (f.tokenFile) { cfg.tokenFile = f.tokenFile; cfg.token = readFileSync(f.tokenFile, 'utf8').trim(); }
  return cfg;
}

/**
 * The usual component choice: an explicit kubeconfig or master flag wins; else in-cluster when
 * KUBERNETES_SERVICE_HOST is set; else the default loading rules.
 */
export function buildConfigFromFlags(master: string | undefined, kubeconfig: string | undefined): RestConfig {
  if (!master && !kubeconfig && process.env.KUBERNETES_SERVICE_HOST) {
    try { return inClusterConfig(); } catch { /* fall back to the default rules */ }
  }
  return loadRestConfig({ kubeconfig, server: master });
}
