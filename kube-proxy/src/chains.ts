// iptables chain names as upstream's iptables proxier derives them (pkg/proxy/iptables/proxier.go).
import { createHash } from 'node:crypto';

export const KubeServices = 'KUBE-SERVICES';
export const KubeExternalServices = 'KUBE-EXTERNAL-SERVICES';
export const KubeNodePorts = 'KUBE-NODEPORTS';
export const KubePostrouting = 'KUBE-POSTROUTING';
export const KubeMarkMasq = 'KUBE-MARK-MASQ';
export const KubeForward = 'KUBE-FORWARD';
export const KubeProxyFirewall = 'KUBE-PROXY-FIREWALL';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding, without the padding we never reach). */
export function base32(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** portProtoHash: the first 16 base32 characters of sha256(servicePortName + protocol). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32(createHash('sha256').update(servicePortName + protocol).digest()).slice(0, 16);
}

/** `protocol` is lower case ("tcp"), as upstream passes it. */
export const serviceChain = (spn: string, protocol: string) => `KUBE-SVC-${portProtoHash(spn, protocol)}`;
export const serviceLocalChain = (spn: string, protocol: string) => `KUBE-SVL-${portProtoHash(spn, protocol)}`;
export const serviceExternalChain = (spn: string, protocol: string) => `KUBE-EXT-${portProtoHash(spn, protocol)}`;
export const serviceFirewallChain = (spn: string, protocol: string) => `KUBE-FW-${portProtoHash(spn, protocol)}`;
/** KUBE-SEP-: sha256 of servicePortName + protocol + "ip:port". */
export const endpointChain = (spn: string, protocol: string, endpoint: string) =>
  `KUBE-SEP-${base32(createHash('sha256').update(spn + protocol + endpoint).digest()).slice(0, 16)}`;

/** Chains the proxier creates per service and deletes once unused. */
export function isServiceChainName(chain: string): boolean {
  return ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-'].some((p) => chain.startsWith(p));
}
