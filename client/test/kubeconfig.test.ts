import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRestConfig, loadKubeconfig, parseKubeconfig, mergeKubeconfigs, inClusterConfig, configFromFlags, kubeconfigPaths } from '../src/kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubeconfig', () => {
  let dir: string;
  let fileA: string;
  let fileB: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'ca.crt'), 'CA-FROM-FILE');
    writeFileSync(join(dir, 'certs', 'client.crt'), 'CERT-FROM-FILE');
    writeFileSync(join(dir, 'certs', 'client.key'), 'KEY-FROM-FILE');
    writeFileSync(join(dir, 'token'), 'file-token\n');
    fileA = join(dir, 'a.yaml');
    fileB = join(dir, 'b.yaml');
    writeFileSync(fileA, `
apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: c-a
  cluster:
    server: https://a.example:6443/
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: https://from-a:6443
users:
- name: u-a
  user:
    client-certificate: certs/client.crt
    client-key: certs/client.key
contexts:
- name: ctx-a
  context: { cluster: c-a, user: u-a, namespace: team-a }
`);
    writeFileSync(fileB, `
apiVersion: v1
kind: Config
current-context: ctx-b
clusters:
- name: shared
  cluster:
    server: https://from-b:6443
- name: c-b
  cluster:
    server: https://b.example:6443
    tls-server-name: kubernetes
    certificate-authority-data: ${b64('CA-FROM-DATA')}
- name: c-insecure
  cluster:
    server: https://insecure:6443
    insecure-skip-tls-verify: true
    certificate-authority-data: ${b64('IGNORED')}
users:
- name: u-b
  user:
    client-certificate-data: ${b64('CERT-FROM-DATA')}
    client-key-data: ${b64('KEY-FROM-DATA')}
- name: u-token
  user:
    token: static-token
- name: u-tokenfile
  user:
    tokenFile: token
contexts:
- name: ctx-b
  context: { cluster: c-b, user: u-b }
- name: ctx-token
  context: { cluster: c-insecure, user: u-token, namespace: tok }
- name: ctx-tokenfile
  context: { cluster: shared, user: u-tokenfile }
`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads an explicit --kubeconfig with file credentials resolved relative to the file', () => {
    const c = loadRestConfig({ kubeconfig: fileA });
    expect(c.server).toBe('https://a.example:6443');
    expect(c.contextName).toBe('ctx-a');
    expect(c.namespace).toBe('team-a');
    expect(c.ca?.toString()).toBe('CA-FROM-FILE');
    expect(c.cert?.toString()).toBe('CERT-FROM-FILE');
    expect(c.key?.toString()).toBe('KEY-FROM-FILE');
    expect(c.insecureSkipTLSVerify).toBe(false);
    expect(() => loadRestConfig({ kubeconfig: join(dir, 'missing') })).toThrow(/no such file/);
  });

  it('merges KUBECONFIG files: first definition and first current-context win', () => {
    const env = { KUBECONFIG: `${fileA}:${join(dir, 'does-not-exist')}:${fileB}` };
    expect(kubeconfigPaths({ env })).toEqual([fileA, fileB]);
    const kc = loadKubeconfig({ env });
    expect(kc.currentContext).toBe('ctx-a');
    expect(kc.clusters.get('shared')?.server).toBe('https://from-a:6443');
    expect([...kc.contexts.keys()].sort()).toEqual(['ctx-a', 'ctx-b', 'ctx-token', 'ctx-tokenfile']);
    // Reversed order: B's current-context and B's "shared" cluster win.
    const rev = loadKubeconfig({ env: { KUBECONFIG: `${fileB}:${fileA}` } });
    expect(rev.currentContext).toBe('ctx-b');
    expect(rev.clusters.get('shared')?.server).toBe('https://from-b:6443');
    // Data credentials.
    const b = loadRestConfig({ env: { KUBECONFIG: `${fileB}:${fileA}` } });
    expect(b.ca?.toString()).toBe('CA-FROM-DATA');
    expect(b.cert?.toString()).toBe('CERT-FROM-DATA');
    expect(b.key?.toString()).toBe('KEY-FROM-DATA');
    expect(b.namespace).toBe('default');
    expect(b.tlsServerName).toBe('kubernetes');
  });

  it('selects contexts and applies overrides; tokens, token files and insecure clusters', () => {
    const env = { KUBECONFIG: `${fileA}:${fileB}` };
    const t = loadRestConfig({ env, context: 'ctx-token' });
    expect(t.token).toBe('static-token');
    expect(t.insecureSkipTLSVerify).toBe(true);
    expect(t.ca).toBeUndefined();
    expect(t.namespace).toBe('tok');
    const f = loadRestConfig({ env, context: 'ctx-tokenfile', namespace: 'override' });
    expect(f.token).toBe('file-token');
    expect(f.tokenFile).toBe(join(dir, 'token'));
    expect(f.server).toBe('https://from-a:6443');
    expect(f.namespace).toBe('override');
    expect(loadRestConfig({ env, server: 'http://127.0.0.1:1', token: 'x' })).toMatchObject({ server: 'http://127.0.0.1:1', token: 'x' });
    expect(() => loadRestConfig({ env, context: 'nope' })).toThrow(/context "nope" does not exist/);
  });

  it('uses ~/.kube/config when nothing else is given', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), `current-context: x\nclusters: [{name: c, cluster: {server: "http://h:1"}}]\ncontexts: [{name: x, context: {cluster: c}}]\n`);
    expect(loadRestConfig({ env: {}, home }).server).toBe('http://h:1');
    expect(() => loadRestConfig({ env: {}, home: join(dir, 'nohome') })).toThrow(/no configuration/);
  });

  it('reads YAML 1.1 values as clientcmd does: insecure-skip-tls-verify: no keeps TLS verification on', () => {
    const file = join(dir, 'yaml11.yaml');
    const doc = (insecure: string) => `current-context: x\nclusters: [{name: c, cluster: {server: "https://h:1", certificate-authority: certs/ca.crt, insecure-skip-tls-verify: ${insecure}}}]\ncontexts: [{name: x, context: {cluster: c}}]\n`;
    for (const [v, insecure] of [['no', false], ['off', false], ['N', false], ['yes', true], ['on', true], ['y', true]] as const) {
      writeFileSync(file, doc(v));
      const c = loadRestConfig({ kubeconfig: file });
      expect({ v, insecure: c.insecureSkipTLSVerify, ca: c.ca?.toString() }).toEqual({ v, insecure, ca: insecure ? undefined : 'CA-FROM-FILE' });
    }
    // A string where Go has a bool fails the whole file, with the file named.
    writeFileSync(file, doc('"no"'));
    expect(() => loadRestConfig({ kubeconfig: file })).toThrow(`error loading config file "${file}": json: cannot unmarshal string into Go struct field Cluster.clusters.cluster.insecure-skip-tls-verify of type bool`);
    writeFileSync(file, 'clusters: [');
    expect(() => loadRestConfig({ kubeconfig: file })).toThrow(new RegExp(`^error loading config file "${file}": yaml: line \\d+: `));
  });

  it('parses and merges in memory', () => {
    const a = parseKubeconfig('clusters: [{name: c, cluster: {server: "http://one"}}]');
    const b = parseKubeconfig('current-context: z\nclusters: [{name: c, cluster: {server: "http://two"}}]');
    const m = mergeKubeconfigs([a, b]);
    expect(m.currentContext).toBe('z');
    expect(m.clusters.get('c')?.server).toBe('http://one');
  });

  it('builds in-cluster and flag configs', () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), 'SA-CA');
    writeFileSync(join(sa, 'namespace'), 'kube-system');
    const c = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa);
    expect(c).toMatchObject({ server: 'https://10.0.0.1:443', token: 'sa-token', namespace: 'kube-system' });
    expect(c.ca?.toString()).toBe('SA-CA');
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, sa).server).toBe('https://[fd00::1]:443');
    expect(() => inClusterConfig({}, sa)).toThrow(/KUBERNETES_SERVICE_HOST/);
    const f = configFromFlags({ server: 'https://x:6443/', tokenFile: join(dir, 'token'), certificateAuthority: join(dir, 'certs', 'ca.crt') });
    expect(f).toMatchObject({ server: 'https://x:6443', token: 'file-token', namespace: 'default' });
    expect(f.ca?.toString()).toBe('CA-FROM-FILE');
  });
});
