// containerd 1.6 configuration (config version 2) for one node: its own root, state and sockets so
// that several instances run side by side, the CRI plugin set up for this machine, and registry
// hosts (certs.d/<host>/hosts.toml) mirroring public registries onto the local one.
import { join } from 'node:path';

export interface ContainerdPaths {
  /** Base directory of this node's containerd. */
  dir: string;
  config: string;
  root: string;
  state: string;
  /** gRPC socket (the CRI endpoint). */
  socket: string;
  ttrpcSocket: string;
  /** runc state root of this node's containers. */
  runcRoot: string;
  /** CRI registry config_path: <host>/hosts.toml files. */
  registryConfigDir: string;
  cniConfDir: string;
  /** host-local IPAM state. */
  cniDataDir: string;
}

export function containerdPaths(dir: string): ContainerdPaths {
  const state = join(dir, 'state');
  return {
    dir,
    config: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state,
    socket: join(dir, 'containerd.sock'),
    ttrpcSocket: join(dir, 'containerd.sock.ttrpc'),
    runcRoot: join(state, 'runc'),
    registryConfigDir: join(dir, 'certs.d'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'networks'),
  };
}

export interface ContainerdConfigOptions {
  sandboxImage?: string;
  cniBinDir?: string;
  /** Log level of containerd ('debug', 'info', 'warn', ...). */
  logLevel?: string;
  /**
   * Address of the CRI streaming server (exec/attach/port-forward URLs point there); default
   * 127.0.0.1. A containerd inside a node's network namespace needs the node's address here so the
   * kubelet in another namespace can reach the URLs.
   */
  streamServerAddress?: string;
}

export const defaultSandboxImage = 'registry.k8s.io/pause:3.10';
export const defaultCniBinDir = '/usr/lib/cni';

const q = (s: string) => JSON.stringify(s); // a JSON string is a valid TOML basic string
const cri = 'plugins."io.containerd.grpc.v1.cri"';

/** config.toml text. */
export function containerdConfig(p: ContainerdPaths, o: ContainerdConfigOptions = {}): string {
  return `# k8ts node containerd (generated)
version = 2
root = ${q(p.root)}
state = ${q(p.state)}
# Snapshotters and runtimes this machine cannot or need not use.
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = ${q(p.socket)}

[ttrpc]
  address = ${q(p.ttrpcSocket)}

[debug]
  level = ${q(o.logLevel ?? 'info')}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(p.root, 'opt'))}

[${cri}]
  sandbox_image = ${q(o.sandboxImage ?? defaultSandboxImage)}
  # This VM forbids lowering oom_score_adj below the parent's; without this every sandbox fails in
  # runc with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Exec/attach/port-forward streaming server on any free port (several nodes per machine).
  stream_server_address = ${q(o.streamServerAddress ?? '127.0.0.1')}
  stream_server_port = "0"
  enable_selinux = false
  # Pod network namespaces are bind-mounted under this node's state dir, not the shared /var/run/netns.
  netns_mounts_under_state_dir = true
  max_container_log_line_size = 16384

  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [${cri}.containerd.runtimes.runc.options]
        Root = ${q(p.runcRoot)}
        SystemdCgroup = false

  [${cri}.cni]
    bin_dir = ${q(o.cniBinDir ?? defaultCniBinDir)}
    conf_dir = ${q(p.cniConfDir)}
    max_conf_num = 1

  [${cri}.registry]
    config_path = ${q(p.registryConfigDir)}
`;
}

/**
 * hosts.toml for one upstream registry host (e.g. docker.io): pull and resolve from the mirror
 * (plain http) first, the upstream server last.
 */
export function registryHostsToml(upstream: string, mirrorUrl: string): string {
  const server = upstream === 'docker.io' ? 'https://registry-1.docker.io' : `https://${upstream}`;
  return `# k8ts registry mirror for ${upstream} (generated)
server = ${q(server)}

[host.${q(mirrorUrl)}]
  capabilities = ["pull", "resolve"]
`;
}
