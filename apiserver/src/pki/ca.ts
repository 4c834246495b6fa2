// The cluster certificate authority: one RSA key and a self-signed certificate (CN kubernetes-ca),
// kept as ca.crt / ca.key in the PKI directory like kubeadm's /etc/kubernetes/pki.
import type { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { x509 } from './x509.ts';
import { generateKeyPair, keyMatchesCertificate, privateKeyFromPem, privateKeyToPem, randomSerialNumber, signingAlgorithm } from './keys.ts';
import { readIfExists, writePublicFile, writeSecretFile } from './files.ts';

export interface CA {
  cert: x509.X509Certificate;
  certPem: string;
  key: webcrypto.CryptoKey;
  keyPem: string;
}

export const caCommonName = 'kubernetes-ca';
export const caCertFile = 'ca.crt';
export const caKeyFile = 'ca.key';

const day = 24 * 60 * 60 * 1000;
/** Certificates start a little in the past so that small clock differences do not reject them. */
export const backdate = 5 * 60 * 1000;

export async function createCA(opts: { commonName?: string; validityDays?: number; now?: Date } = {}): Promise<CA> {
  const now = opts.now ?? new Date();
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [opts.commonName ?? caCommonName] }],
    notBefore: new Date(now.getTime() - backdate),
    notAfter: new Date(now.getTime() + (opts.validityDays ?? 3650) * day),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = await privateKeyToPem(keys.privateKey);
  return { cert, certPem: cert.toString('pem') + '\n', key: await privateKeyFromPem(keyPem), keyPem };
}

/** Parses a CA from PEM text, checking that it is a CA certificate and that the key belongs to it. */
export async function loadCA(certPem: string, keyPem: string): Promise<CA> {
  const cert = new x509.X509Certificate(certPem);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw new Error(`certificate "${cert.subject}" is not a CA certificate (basicConstraints CA:TRUE missing)`);
  if (!keyMatchesCertificate(keyPem, cert)) throw new Error(`the CA private key does not match the CA certificate "${cert.subject}"`);
  return { cert, certPem, key: await privateKeyFromPem(keyPem), keyPem };
}

/** Loads dir/ca.crt and dir/ca.key, or creates both (key 0600) when neither exists. */
export async function ensureCA(dir: string): Promise<CA> {
  const certPath = join(dir, caCertFile);
  const keyPath = join(dir, caKeyFile);
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem !== undefined && keyPem !== undefined) {
    try {
      return await loadCA(certPem, keyPem);
    } catch (e) {
      throw new Error(`invalid CA in ${dir}: ${(e as Error).message}`);
    }
  }
  if (certPem !== undefined || keyPem !== undefined) {
    const missing = certPem === undefined ? certPath : keyPath;
    throw new Error(`incomplete CA in ${dir}: ${missing} is missing (remove the other file to create a new CA)`);
  }
  const ca = await createCA();
  await writeSecretFile(keyPath, ca.keyPem);
  await writePublicFile(certPath, ca.certPem);
  return ca;
}
