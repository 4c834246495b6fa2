// Leaf certificates signed by the cluster CA: serving certificates (serverAuth) and client
// certificates (clientAuth) whose subject carries the Kubernetes identity (CN = user, O = groups).
import { join } from 'node:path';
import { x509 } from './x509.ts';
import type { CA } from './ca.ts';
import { backdate } from './ca.ts';
import { generateKeyPair, keyMatchesCertificate, privateKeyToPem, randomSerialNumber, signingAlgorithm } from './keys.ts';
import { readIfExists, writePublicFile, writeSecretFile } from './files.ts';
import type { SANs } from './san.ts';
import { apiServerDefaultSANs, certificateSANs, mergeSANs, sanExtension, sansCover } from './san.ts';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface CertSpec {
  commonName: string;
  organizations?: string[];
  sans?: SANs;
  usages: ('serverAuth' | 'clientAuth')[];
  validityDays?: number;
  now?: Date;
}

const day = 24 * 60 * 60 * 1000;
const ekuOID = { serverAuth: x509.ExtendedKeyUsage.serverAuth, clientAuth: x509.ExtendedKeyUsage.clientAuth };

/** Subject as one RDN per attribute: CN, then one O per group (as Go's pkix.Name does for Organization). */
export function subjectName(commonName: string, organizations: string[] = []): x509.JsonName {
  return [{ CN: [commonName] }, ...organizations.map((o) => ({ O: [o] }))];
}

/** Issues a new key pair and a certificate for it signed by the CA. */
export async function issueCert(ca: CA, spec: CertSpec): Promise<KeyPairPem> {
  if (!spec.commonName) throw new Error('a certificate needs a common name');
  const now = spec.now ?? new Date();
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(spec.usages.map((u) => ekuOID[u])),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  if (spec.sans && (spec.sans.hosts.length || spec.sans.ips.length)) extensions.push(sanExtension(spec.sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: subjectName(spec.commonName, spec.organizations),
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - backdate),
    notAfter: new Date(now.getTime() + (spec.validityDays ?? 365) * day),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyToPem(keys.privateKey) };
}

export interface ServingCertOptions extends Partial<SANs> {
  commonName?: string;
  validityDays?: number;
}

/** The SANs a kube-apiserver serving certificate gets: the fixed `kubernetes*` names, localhost,
 *  127.0.0.1 and the service IP, plus the given names and addresses. */
export function apiServerSANs(extra: Partial<SANs> = {}): SANs {
  return mergeSANs(apiServerDefaultSANs, extra);
}

/** A kube-apiserver serving certificate (extKeyUsage serverAuth). */
export async function issueServingCert(ca: CA, opts: ServingCertOptions): Promise<KeyPairPem> {
  return issueCert(ca, {
    commonName: opts.commonName ?? 'kube-apiserver',
    sans: apiServerSANs(opts),
    usages: ['serverAuth'],
    validityDays: opts.validityDays,
  });
}

/** A client certificate for a Kubernetes user: CN = user name, one O per group (extKeyUsage clientAuth). */
export async function issueClientCert(ca: CA, opts: { user: string; groups: string[]; validityDays?: number }): Promise<KeyPairPem> {
  return issueCert(ca, { commonName: opts.user, organizations: opts.groups, usages: ['clientAuth'], validityDays: opts.validityDays });
}

/** A kubelet serving certificate (CN system:node:<name>, O system:nodes) for the node's name and addresses. */
export async function issueKubeletServingCert(ca: CA, opts: { nodeName: string; hosts?: string[]; ips?: string[] }): Promise<KeyPairPem> {
  return issueCert(ca, {
    commonName: `system:node:${opts.nodeName}`,
    organizations: ['system:nodes'],
    sans: mergeSANs({ hosts: [opts.nodeName, ...(opts.hosts ?? [])], ips: opts.ips ?? [] }),
    usages: ['serverAuth'],
  });
}

/** Checks the certificate's signature against the CA, its issuer name, and its validity at `at`. */
export async function verifyIssuedBy(certPem: string, ca: CA, at: Date = new Date()): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  if (cert.issuer !== ca.cert.subject) return false;
  if (at < cert.notBefore || at > cert.notAfter) return false;
  return cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true });
}

export interface ServingCertFiles extends KeyPairPem {
  certPath: string;
  keyPath: string;
  /** false when a new certificate was issued. */
  reused: boolean;
}

/** The remaining lifetime below which an existing certificate is replaced. */
const renewBefore = 7 * day;

/**
 * Keeps dir/<name>.crt and dir/<name>.key (default name "apiserver", as kubeadm): reuses them when
 * they were signed by this CA, belong together, are valid for more than a week and their SANs cover
 * the API server defaults plus `sans`; otherwise issues and writes a new pair.
 */
export async function ensureServingCert(dir: string, ca: CA, sans: Partial<SANs>, name = 'apiserver'): Promise<ServingCertFiles> {
  const want = apiServerSANs(sans);
  return ensureCertFiles(dir, name, ca, want, () => issueServingCert(ca, want));
}

/** The kubelet's serving certificate, kept as dir/kubelet.crt and dir/kubelet.key like ensureServingCert. */
export async function ensureKubeletServingCert(
  dir: string, ca: CA, opts: { nodeName: string; hosts?: string[]; ips?: string[] },
): Promise<ServingCertFiles> {
  const want = mergeSANs({ hosts: [opts.nodeName, ...(opts.hosts ?? [])], ips: opts.ips ?? [] });
  return ensureCertFiles(dir, 'kubelet', ca, want, () => issueKubeletServingCert(ca, opts));
}

async function ensureCertFiles(dir: string, name: string, ca: CA, want: SANs, issue: () => Promise<KeyPairPem>): Promise<ServingCertFiles> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined && (await reusable(certPem, keyPem, ca, want))) {
    return { certPem, keyPem, certPath, keyPath, reused: true };
  }
  const issued = await issue();
  await writeSecretFile(keyPath, issued.keyPem);
  await writePublicFile(certPath, issued.certPem);
  return { ...issued, certPath, keyPath, reused: false };
}

async function reusable(certPem: string, keyPem: string, ca: CA, want: SANs): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(certPem);
    if (!(await verifyIssuedBy(certPem, ca, new Date(Date.now() + renewBefore)))) return false;
    if (!keyMatchesCertificate(keyPem, cert)) return false;
    return sansCover(certificateSANs(cert), want);
  } catch {
    return false; // unreadable files are replaced
  }
}

/**
 * Options for `https.createServer` / fastify's `https`: asks every client for a certificate signed by
 * the CA but lets clients without one connect (they may use a bearer token); the authenticator then
 * trusts a certificate only when `socket.authorized` is true.
 */
export function tlsServerOptions(opts: { caPem: string; certPem: string; keyPem: string }) {
  return { ca: opts.caPem, cert: opts.certPem, key: opts.keyPem, requestCert: true, rejectUnauthorized: false };
}
