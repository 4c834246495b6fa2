// CA bundles: concatenated PEM certificates, e.g. for a kubelet's --client-ca-file or for clients that
// must trust the kubelet serving certificates.
import { x509 } from './x509.ts';
import { writePublicFile } from './files.ts';

/** One PEM bundle of the given certificates, each parsed to reject garbage, duplicates removed. */
export function caBundle(pems: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pem of pems) {
    for (const der of x509.PemConverter.decode(pem)) {
      const cert = new x509.X509Certificate(der);
      const text = cert.toString('pem');
      if (!seen.has(text)) {
        seen.add(text);
        out.push(text);
      }
    }
  }
  if (!out.length) throw new Error('a CA bundle needs at least one certificate');
  return out.join('\n') + '\n';
}

export async function writeCABundle(path: string, pems: string[]): Promise<string> {
  const bundle = caBundle(pems);
  await writePublicFile(path, bundle);
  return bundle;
}
