// The cluster PKI: CA, serving and client certificates, TLS server options.
export type { CA } from './ca.ts';
export { caCommonName, createCA, ensureCA, loadCA } from './ca.ts';
export type { CertSpec, KeyPairPem, ServingCertFiles, ServingCertOptions } from './certs.ts';
export {
  apiServerSANs, ensureKubeletServingCert, ensureServingCert, issueCert, issueClientCert, issueKubeletServingCert, issueServingCert,
  subjectName, tlsServerOptions, verifyIssuedBy,
} from './certs.ts';
export type { SANs } from './san.ts';
export { apiServerDefaultSANs, canonicalIP, certificateSANs, defaultServiceIP, mergeSANs, sansCover } from './san.ts';
export { caBundle, writeCABundle } from './bundle.ts';
