// kube-apiserver for k8ts: flags as upstream where they apply.
import { parseArgs } from 'node:util';
import { defaultApiServerOptions, startApiServer } from './app.ts';
import { createLogger } from '@k8ts/client/log.ts';

const { values: f } = parseArgs({
  options: {
    'etcd-servers': { type: 'string', default: '' },
    'bind-address': { type: 'string', default: defaultApiServerOptions.bindAddress },
    'secure-port': { type: 'string', default: String(defaultApiServerOptions.securePort) },
    'advertise-address': { type: 'string' },
    'cert-dir': { type: 'string', default: '/var/lib/k8ts/pki' },
    'service-cluster-ip-range': { type: 'string', default: defaultApiServerOptions.serviceClusterIPRange },
    'service-node-port-range': { type: 'string', default: defaultApiServerOptions.serviceNodePortRange },
    'token-auth-file': { type: 'string' },
    'tls-sans': { type: 'string', default: '' },
    'etcd-compaction-interval': { type: 'string', default: '5m' },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (f.help) {
  console.log(`Usage: apiserver [flags]
  --etcd-servers URLS             comma-separated etcd endpoints (empty: in-memory storage, for experiments)
  --bind-address IP               address to serve HTTPS on (default 127.0.0.1)
  --secure-port N                 HTTPS port (default 6443; 0 picks a free port)
  --advertise-address IP          address published in the kubernetes Service's Endpoints
  --cert-dir DIR                  cluster CA and serving certificate (created on first start)
  --service-cluster-ip-range CIDR (default 10.96.0.0/12)
  --service-node-port-range A-B   (default 30000-32767)
  --token-auth-file FILE          bearer tokens: token,user,uid,"group1,group2"
  --tls-sans NAMES                extra names/IPs for the serving certificate, comma-separated
  --etcd-compaction-interval DUR  (default 5m; 0 disables)
  -v N                            log verbosity`);
  process.exit(0);
}

function duration(s: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`invalid duration ${s}`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

const sans = f['tls-sans']!.split(',').filter(Boolean);
const isIp = (s: string) => /^[\d.]+$/.test(s) || s.includes(':');
// Started before the signal handlers are installed, so a stop during start-up still stops cleanly.
const starting = startApiServer({
  etcdServers: f['etcd-servers']!.split(',').filter(Boolean),
  bindAddress: f['bind-address']!,
  securePort: Number(f['secure-port']),
  advertiseAddress: f['advertise-address'],
  certDir: f['cert-dir']!,
  serviceClusterIPRange: f['service-cluster-ip-range']!,
  serviceNodePortRange: f['service-node-port-range']!,
  tokenAuthFile: f['token-auth-file'],
  extraSANs: { hosts: sans.filter((s) => !isIp(s)), ips: sans.filter(isIp) },
  compactionIntervalMs: duration(f['etcd-compaction-interval']!),
  logger: createLogger({ component: 'kube-apiserver', verbosity: Number(f.v) }),
  logRequests: Number(f.v) >= 3,
});
const stop = () => { void starting.then((s) => s.stop()).catch(() => undefined).finally(() => process.exit(0)); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
const server = await starting;
console.log(JSON.stringify({ msg: 'apiserver serving', url: server.url }));
