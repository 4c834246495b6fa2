import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import https from 'node:https';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CA } from '@k8ts/apiserver/pki/index.ts';
import { createCA, issueClientCert, issueServingCert, tlsServerOptions } from '@k8ts/apiserver/pki/index.ts';
import { authenticate, isAnonymousPath } from '@k8ts/apiserver/auth/index.ts';
import { errors } from '@k8ts/api/status.ts';
import type { Kubeconfig } from '../src/kubeconfig.ts';
import { readKubeconfigFile, restConfigFromKubeconfig } from '@k8ts/client/kubeconfig.ts';
import { kubeconfigFor, writeComponentCredentials, writeKubeconfig, writeNodeCredentials } from '../src/kubeconfig.ts';

/** What the project's own client makes of a kubeconfig file. */
function clientView(path: string) {
  const c = restConfigFromKubeconfig(readKubeconfigFile(path));
  return { server: c.server, namespace: c.namespace, contextName: c.contextName, caPem: c.ca?.toString(), certPem: c.cert?.toString(), keyPem: c.key?.toString(), token: c.token };
}

const run = promisify(execFile);
let dir: string;
let ca: CA;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-kubeconfig-'));
  ca = await createCA();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real kubectl with a private HOME and cache dir so nothing leaks between runs. */
async function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = await mkdtemp(join(dir, 'home-')); // fresh cache: the dispatcher caches /version
  try {
    const p = run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, timeout: 20_000,
    });
    p.child.stdin?.end(); // kubectl prompts for a password on stdin when it has no credentials
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('kubeconfigFor / writeKubeconfig', () => {
  it('round-trips through YAML with embedded base64 data and mode 0600', async () => {
    const { certPem, keyPem } = await issueClientCert(ca, { user: 'alice', groups: ['devs'] });
    const config = kubeconfigFor({ clusterName: 'k8ts', server: 'https://127.0.0.1:6443', caPem: ca.certPem, user: 'alice', certPem, keyPem, namespace: 'team' });
    const path = join(dir, 'alice.conf');
    await writeKubeconfig(path, config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const parsed = parse(await readFile(path, 'utf8')) as Kubeconfig;
    expect(parsed).toEqual(config);
    expect(parsed['current-context']).toBe('alice@k8ts');
    expect(parsed.contexts).toEqual([{ name: 'alice@k8ts', context: { cluster: 'k8ts', user: 'alice', namespace: 'team' } }]);
    expect(Buffer.from(parsed.clusters[0].cluster['certificate-authority-data']!, 'base64').toString()).toBe(ca.certPem);
    expect(Buffer.from(parsed.users[0].user['client-key-data']!, 'base64').toString()).toBe(keyPem);
    expect(clientView(path)).toEqual({
      server: 'https://127.0.0.1:6443', caPem: ca.certPem, certPem, keyPem, namespace: 'team', contextName: 'alice@k8ts', token: undefined,
    });
  });

  it('is read by the real kubectl (config view --raw -o json)', async () => {
    const { certPem, keyPem } = await issueClientCert(ca, { user: 'bob', groups: [] });
    const path = join(dir, 'bob.conf');
    await writeKubeconfig(path, kubeconfigFor({ clusterName: 'k8ts', server: 'https://10.0.0.1:6443', caPem: ca.certPem, user: 'bob', certPem, keyPem, token: 'tok' }));
    const r = await kubectl(path, 'config', 'view', '--raw', '-o', 'json');
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout);
    expect(seen['current-context']).toBe('bob@k8ts');
    expect(seen.clusters[0]).toEqual({ name: 'k8ts', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } });
    expect(seen.users[0].user).toEqual({
      'client-certificate-data': Buffer.from(certPem).toString('base64'), 'client-key-data': Buffer.from(keyPem).toString('base64'), token: 'tok',
    });
    const cur = await kubectl(path, 'config', 'current-context');
    expect(cur.stdout.trim()).toBe('bob@k8ts');
  });

  it('rejects a certificate without its key', () => {
    expect(() => kubeconfigFor({ clusterName: 'c', server: 's', caPem: ca.certPem, user: 'u', certPem: 'x' })).toThrow(/go together/);
  });
});

describe('component credentials', () => {
  it('writes admin, scheduler, controller-manager, kube-proxy and node kubeconfigs with the right identities', async () => {
    const d = join(dir, 'components');
    const paths = await writeComponentCredentials(d, ca, 'https://127.0.0.1:6443');
    const node = await writeNodeCredentials(d, ca, 'https://127.0.0.1:6443', 'node1');
    const want: [string, string][] = [
      [paths.admin, 'CN=kubernetes-admin\nO=system:masters'],
      [paths.scheduler, 'CN=system:kube-scheduler'],
      [paths.controllerManager, 'CN=system:kube-controller-manager'],
      [paths.kubeProxy, 'CN=system:kube-proxy'],
      [node, 'CN=system:node:node1\nO=system:nodes'],
    ];
    expect(paths.admin).toBe(join(d, 'admin.conf'));
    expect(node).toBe(join(d, 'kubelet-node1.conf'));
    const caCrt = new X509Certificate(ca.certPem);
    for (const [path, subject] of want) {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const creds = clientView(path);
      const crt = new X509Certificate(creds.certPem!);
      expect(crt.subject, path).toBe(subject);
      expect(crt.verify(caCrt.publicKey)).toBe(true);
      expect(creds.server).toBe('https://127.0.0.1:6443');
    }
  });
});

describe('the real kubectl against an https server that authenticates', () => {
  let httpsServer: https.Server;
  let server: string;
  let minor = '32';
  beforeAll(async () => {
    const serving = await issueServingCert(ca, { hosts: [], ips: [] });
    const tokens = new Map([['t0ken', { name: 'tokenuser', groups: [] }]]);
    httpsServer = https.createServer(tlsServerOptions({ caPem: ca.certPem, ...serving }), (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const { user } = authenticate(req, { tokens });
      res.setHeader('content-type', 'application/json');
      if (path === '/version' && isAnonymousPath(path)) {
        res.end(JSON.stringify({ major: '1', minor, gitVersion: `v1.${minor}.0`, platform: 'linux/amd64' }));
      } else if (!user) {
        const e = errors.unauthorized();
        res.writeHead(e.code).end(JSON.stringify(e.status));
      } else {
        res.end(JSON.stringify(user));
      }
    });
    httpsServer.listen(0, '127.0.0.1');
    await once(httpsServer, 'listening');
    server = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    httpsServer.closeAllConnections();
    await new Promise((r) => httpsServer.close(r));
  });

  it('authenticates with the embedded client certificate, verifying the serving certificate', async () => {
    const paths = await writeComponentCredentials(join(dir, 'live'), ca, server);
    const r = await kubectl(paths.admin, 'get', '--raw', '/whoami');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('works with the oldest and newest kubectl too (1.27, 1.33)', async () => {
    const admin = join(dir, 'live', 'admin.conf');
    try {
      for (const m of ['27', '33']) {
        minor = m;
        const v = await kubectl(admin, 'version', '-o', 'json');
        expect(JSON.parse(v.stdout).clientVersion.minor, m).toBe(m); // the dispatcher ran kubectl.1.<m>
        const r = await kubectl(admin, 'get', '--raw', '/whoami');
        expect(JSON.parse(r.stdout).name, m).toBe('kubernetes-admin');
      }
    } finally {
      minor = '32';
    }
  });

  it('authenticates with a token, and is told to log in when the token is wrong', async () => {
    const tokenConf = join(dir, 'token.conf');
    await writeKubeconfig(tokenConf, kubeconfigFor({ clusterName: 'k', server, caPem: ca.certPem, user: 'tokenuser', token: 't0ken' }));
    expect(JSON.parse((await kubectl(tokenConf, 'get', '--raw', '/whoami')).stdout).name).toBe('tokenuser');

    const badConf = join(dir, 'bad.conf');
    await writeKubeconfig(badConf, kubeconfigFor({ clusterName: 'k', server, caPem: ca.certPem, user: 'nobody', token: 'wrong' }));
    const r = await kubectl(badConf, 'get', '--raw', '/whoami');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('You must be logged in to the server (Unauthorized)');
  });
});
