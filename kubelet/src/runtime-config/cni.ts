// The node's CNI network: a bridge with host-local IPAM over the node's pod CIDR, plus portmap
// for hostPort. (containerd's CRI plugin sets up each pod's loopback itself with the `loopback`
// plugin from its bin_dir, so lo is not part of this list.)

export interface CniOptions {
  /** Network name, unique per node on one machine (host-local and libcni key state by it). */
  name: string;
  /** The node's pod CIDR, e.g. 10.244.1.0/24. */
  podCidr: string;
  /** host-local state directory (per node). */
  dataDir: string;
  /** Linux bridge name (<= 15 chars); default cni0. */
  bridge?: string;
  /** Masquerade pod traffic leaving the pod CIDR; default false. */
  ipMasq?: boolean;
  mtu?: number;
}

export interface CniConflist {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

export const cniVersion = '1.0.0';

export function cniConflist(o: CniOptions): CniConflist {
  const bridge = o.bridge ?? 'cni0';
  if (bridge.length > 15) throw new Error(`bridge name ${bridge} is longer than 15 characters`);
  return {
    cniVersion,
    name: o.name,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: o.ipMasq ?? false,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: o.dataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/** The conflist's file name in conf_dir (containerd loads the first file in lexical order). */
export const cniConfFile = '10-k8ts.conflist';
