// kubelet for k8ts: flags as upstream where they apply.
import { parseArgs } from 'node:util';
import { runKubelet } from './app.ts';

const { values: f } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'hostname-override': { type: 'string' },
    'container-runtime-endpoint': { type: 'string', default: 'unix:///run/containerd/containerd.sock' },
    'pod-cidr': { type: 'string' },
    'node-ip': { type: 'string' },
    'register-with-taints': { type: 'string', default: '' },
    'pod-logs-dir': { type: 'string', default: '/var/log/pods' },
    'root-dir': { type: 'string', default: '/var/lib/kubelet' },
    'cluster-dns': { type: 'string', default: '' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
    address: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '10250' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'client-ca-file': { type: 'string' },
    'cgroups-per-qos': { type: 'string', default: 'true' },
    'cgroup-root': { type: 'string' },
    'cgroup-driver': { type: 'string', default: 'cgroupfs' },
    'max-parallel-sandbox-creations': { type: 'string', default: '0' },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (f.help || !f.kubeconfig) {
  console.log(`Usage: kubelet --kubeconfig FILE [flags]
  --kubeconfig FILE                   credentials and address of the API server (required)
  --hostname-override NAME            node name (default: the host name)
  --container-runtime-endpoint URL    CRI socket (default unix:///run/containerd/containerd.sock)
  --pod-cidr CIDR                     the node's pod CIDR until a controller assigns one
  --node-ip IP                        the node's InternalIP (default: first non-loopback IPv4)
  --register-with-taints LIST         key=value:Effect,... taints to register the node with
  --pod-logs-dir DIR                  container log root (default /var/log/pods)
  --root-dir DIR                      kubelet state: pod volumes (default /var/lib/kubelet)
  --cluster-dns IPS                   DNS servers for ClusterFirst pods, comma-separated
  --cluster-domain DOMAIN             (default cluster.local)
  --resolv-conf FILE                  host resolver config for dnsPolicy Default (default /etc/resolv.conf)
  --address IP                        HTTPS API bind address (default 0.0.0.0)
  --port N                            HTTPS API port (default 10250; 0 picks a free one)
  --tls-cert-file FILE                serving certificate (default: self-signed in <root-dir>/pki)
  --tls-private-key-file FILE
  --client-ca-file FILE               require client certificates signed by this CA
  --cgroups-per-qos BOOL              pods in QoS cgroups: <root>/kubepods/pod<uid> (Guaranteed),
                                      <root>/kubepods/burstable/pod<uid>, <root>/kubepods/besteffort/pod<uid>
                                      (default true)
  --cgroup-root PATH                  the node's cgroup (default /k8ts-<node name>: several kubelets share
                                      one machine here; upstream's default is /). Removed on exit when empty
  --cgroup-driver cgroupfs            only cgroupfs is supported (containerd's runc uses cgroupfs)
  --max-parallel-sandbox-creations N  k8ts only: at most N RunPodSandbox calls at once, first come first
                                      served (default 0: unlimited, as upstream)
  -v N                                log verbosity`);
  process.exit(f.help ? 0 : 1);
}

// Started before the signal handlers are needed, and stopped by them whatever stage start-up has reached.
const starting = runKubelet({
  kubeconfig: f.kubeconfig,
  hostnameOverride: f['hostname-override'],
  containerRuntimeEndpoint: f['container-runtime-endpoint']!,
  podCidr: f['pod-cidr'],
  nodeIp: f['node-ip'],
  registerWithTaints: f['register-with-taints'],
  podLogsDir: f['pod-logs-dir']!,
  rootDir: f['root-dir']!,
  clusterDns: f['cluster-dns'],
  clusterDomain: f['cluster-domain'],
  resolvConf: f['resolv-conf'],
  verbosity: Number(f.v),
  address: f.address,
  port: Number(f.port),
  tlsCertFile: f['tls-cert-file'],
  tlsPrivateKeyFile: f['tls-private-key-file'],
  clientCaFile: f['client-ca-file'],
  cgroupsPerQos: f['cgroups-per-qos'] !== 'false',
  cgroupRoot: f['cgroup-root'],
  cgroupDriver: f['cgroup-driver'],
  maxParallelSandboxCreations: Number(f['max-parallel-sandbox-creations']),
});

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void starting.then((running) => running.stop()).catch(() => undefined).finally(() => process.exit(0));
  });
}
await starting;
