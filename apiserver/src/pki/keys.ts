// Key generation and PEM encoding. RSA 2048 with SHA-256: accepted by Go's crypto/tls (every kubectl)
// and by Node's OpenSSL alike.
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const signingAlgorithm: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** PKCS#8 PEM ("PRIVATE KEY"), which both Go and Node load. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Loads a PEM private key (PKCS#8 or PKCS#1 RSA) as a WebCrypto signing key. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const keyObject = createPrivateKey(pem);
  if (keyObject.asymmetricKeyType !== 'rsa') {
    throw new Error(`unsupported private key type ${keyObject.asymmetricKeyType ?? 'unknown'}: only RSA keys are used`);
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, { name: signingAlgorithm.name, hash: signingAlgorithm.hash }, true, ['sign']);
}

/** True when the PEM private key belongs to the certificate's public key. */
export function keyMatchesCertificate(keyPem: string, cert: x509.X509Certificate): boolean {
  const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.from(cert.publicKey.rawData).equals(spki);
}

/** A random positive 128-bit serial number in hex, as upstream's certificate helpers use. */
export function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 1;
  return Buffer.from(bytes).toString('hex');
}
