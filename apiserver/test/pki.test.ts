import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CA } from '../src/pki/index.ts';
import { writePublicFile, writeSecretFile } from '../src/pki/files.ts';
import {
  caBundle, certificateSANs, createCA, ensureCA, ensureKubeletServingCert, ensureServingCert, issueClientCert, issueKubeletServingCert,
  issueServingCert, sansCover, verifyIssuedBy, writeCABundle,
} from '../src/pki/index.ts';

let dir: string;
let ca: CA;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-pki-'));
  ca = await ensureCA(join(dir, 'pki'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mode(path: string) {
  return stat(path).then((s) => s.mode & 0o777);
}

describe('key material files', () => {
  it('appear whole under their name, with their mode, and leave nothing beside them', async () => {
    const d = join(dir, 'files');
    await writeSecretFile(join(d, 'a.key'), 'secret');
    await writePublicFile(join(d, 'a.crt'), 'public');
    await writePublicFile(join(d, 'a.crt'), 'replaced');
    expect(await readFile(join(d, 'a.crt'), 'utf8')).toBe('replaced');
    expect(await mode(join(d, 'a.key'))).toBe(0o600);
    expect(await mode(join(d, 'a.crt'))).toBe(0o644);
    expect((await readdir(d)).sort()).toEqual(['a.crt', 'a.key']);
  });

  it('fail without leaving a partial file when the name cannot be taken', async () => {
    const d = join(dir, 'files-fail');
    await mkdir(join(d, 'taken.crt'), { recursive: true }); // a directory where the file should go
    await expect(writePublicFile(join(d, 'taken.crt'), 'x')).rejects.toThrow();
    expect(await readdir(d)).toEqual(['taken.crt']);
  });
});

describe('ensureCA', () => {
  it('creates a CA certificate and key with the right modes', async () => {
    const crt = new X509Certificate(await readFile(join(dir, 'pki', 'ca.crt')));
    expect(crt.ca).toBe(true);
    expect(crt.subject).toBe('CN=kubernetes-ca');
    expect(crt.issuer).toBe('CN=kubernetes-ca');
    expect(crt.verify(crt.publicKey)).toBe(true);
    const years = (Date.parse(crt.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(await mode(join(dir, 'pki', 'ca.key'))).toBe(0o600);
    expect((await readFile(join(dir, 'pki', 'ca.key'), 'utf8')).startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
  });

  it('loads the existing CA on the next call', async () => {
    const again = await ensureCA(join(dir, 'pki'));
    expect(again.certPem).toBe(ca.certPem);
    expect(again.keyPem).toBe(ca.keyPem);
    // a certificate issued by the reloaded CA verifies against the original
    const leaf = await issueClientCert(again, { user: 'u', groups: [] });
    expect(new X509Certificate(leaf.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('refuses an incomplete or mismatched CA directory', async () => {
    const half = join(dir, 'half');
    await ensureCA(half);
    await rm(join(half, 'ca.key'));
    await expect(ensureCA(half)).rejects.toThrow(/ca\.key is missing/);

    const mixed = join(dir, 'mixed');
    const other = await createCA();
    await ensureCA(mixed);
    await writeFile(join(mixed, 'ca.key'), other.keyPem);
    await expect(ensureCA(mixed)).rejects.toThrow(/does not match/);
  });
});

describe('issued certificates', () => {
  it('serving certificate: signed by the CA, all SANs, serverAuth', async () => {
    const { certPem, keyPem } = await issueServingCert(ca, { hosts: ['apiserver.example', 'node1'], ips: ['192.168.50.2', '::1'] });
    const crt = new X509Certificate(certPem);
    const caCrt = new X509Certificate(ca.certPem);
    expect(crt.verify(caCrt.publicKey)).toBe(true);
    expect(crt.checkIssued(caCrt)).toBe(true);
    expect(crt.ca).toBe(false);
    expect(crt.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    for (const h of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', 'apiserver.example', 'node1']) {
      expect(crt.checkHost(h), h).toBe(h);
    }
    for (const ip of ['127.0.0.1', '10.96.0.1', '192.168.50.2', '::1']) expect(crt.checkIP(ip), ip).toBe(ip);
    expect(crt.checkHost('other.example')).toBeUndefined();
    expect(crt.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem))).toBe(true);
    expect(await verifyIssuedBy(certPem, ca)).toBe(true);
  });

  it('client certificate: CN is the user, one O per group, clientAuth', async () => {
    const { certPem } = await issueClientCert(ca, { user: 'kubernetes-admin', groups: ['system:masters', 'devs'] });
    const crt = new X509Certificate(certPem);
    expect(crt.subject).toBe('CN=kubernetes-admin\nO=system:masters\nO=devs');
    expect(crt.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(crt.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('verifyIssuedBy rejects a certificate of another CA', async () => {
    const other = await createCA();
    const { certPem } = await issueClientCert(other, { user: 'x', groups: [] });
    expect(await verifyIssuedBy(certPem, ca)).toBe(false);
    expect(await verifyIssuedBy(certPem, other)).toBe(true);
  });

  it('kubelet serving certificate names the node', async () => {
    const { certPem } = await issueKubeletServingCert(ca, { nodeName: 'node1', ips: ['10.0.0.11'] });
    const crt = new X509Certificate(certPem);
    expect(crt.subject).toBe('CN=system:node:node1\nO=system:nodes');
    expect(certificateSANs(certPem)).toEqual({ hosts: ['node1'], ips: ['10.0.0.11'] });
    expect(crt.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });
});

describe('ensureServingCert', () => {
  it('reuses a certificate whose SANs still cover the request, reissues otherwise', async () => {
    const d = join(dir, 'serving');
    const first = await ensureServingCert(d, ca, { hosts: ['a.example'], ips: ['10.1.0.1'] });
    expect(first.reused).toBe(false);
    expect(await mode(first.keyPath)).toBe(0o600);
    expect(await readFile(first.certPath, 'utf8')).toBe(first.certPem);

    const same = await ensureServingCert(d, ca, { hosts: ['A.example'], ips: [] });
    expect(same.reused).toBe(true);
    expect(same.certPem).toBe(first.certPem);

    const wider = await ensureServingCert(d, ca, { hosts: ['b.example'], ips: ['10.1.0.1'] });
    expect(wider.reused).toBe(false);
    expect(sansCover(certificateSANs(wider.certPem), { hosts: ['b.example', 'kubernetes'], ips: ['10.1.0.1', '10.96.0.1'] })).toBe(true);
    expect(wider.certPem).not.toBe(first.certPem);

    const otherCA = await createCA();
    const moved = await ensureServingCert(d, otherCA, { hosts: ['b.example'], ips: [] });
    expect(moved.reused).toBe(false);
    expect(await verifyIssuedBy(moved.certPem, otherCA)).toBe(true);
  });
});

describe('ensureKubeletServingCert', () => {
  it('keeps the node serving pair until its addresses change', async () => {
    const d = join(dir, 'kubelet');
    const first = await ensureKubeletServingCert(d, ca, { nodeName: 'node2', ips: ['10.0.0.12'] });
    expect(first.reused).toBe(false);
    expect(first.certPath).toBe(join(d, 'kubelet.crt'));
    expect(new X509Certificate(first.certPem).subject).toBe('CN=system:node:node2\nO=system:nodes');
    expect((await ensureKubeletServingCert(d, ca, { nodeName: 'node2', ips: ['10.0.0.12'] })).reused).toBe(true);
    const moved = await ensureKubeletServingCert(d, ca, { nodeName: 'node2', ips: ['10.0.0.13'] });
    expect(moved.reused).toBe(false);
    expect(certificateSANs(moved.certPem)).toEqual({ hosts: ['node2'], ips: ['10.0.0.13'] });
  });
});

describe('CA bundle', () => {
  it('concatenates distinct certificates and rejects garbage', async () => {
    const other = await createCA();
    const path = join(dir, 'bundle.crt');
    const bundle = await writeCABundle(path, [ca.certPem, other.certPem, ca.certPem]);
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await readFile(path, 'utf8')).toBe(bundle);
    expect(() => caBundle(['not a certificate'])).toThrow();
  });
});
