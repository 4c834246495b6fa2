// kube-proxy for k8ts (iptables mode): watches Services and EndpointSlices and programs the node's
// nat/filter tables. `--cleanup` removes its rules and exits.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger } from '@k8ts/client';
import { Iptables } from './iptables.ts';
import { Proxier } from './proxier.ts';
import { parseDuration } from './duration.ts';

const { values: f } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'hostname-override': { type: 'string' },
    'cluster-cidr': { type: 'string' },
    'proxy-mode': { type: 'string', default: 'iptables' },
    'iptables-min-sync-period': { type: 'string', default: '1s' },
    'iptables-sync-period': { type: 'string', default: '30s' },
    'masquerade-all': { type: 'boolean', default: false },
    cleanup: { type: 'boolean', default: false },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (f.help) {
  console.log('Usage: kube-proxy --kubeconfig FILE [--hostname-override NODE] [--cluster-cidr CIDR] [--iptables-min-sync-period 1s] [--iptables-sync-period 30s] [--masquerade-all] [--cleanup] [-v N]');
  process.exit(0);
}

const log = createLogger({ component: 'kube-proxy', verbosity: Number(f.v) });
const iptables = new Iptables();

if (f.cleanup) {
  try {
    await iptables.cleanup();
    log.info('removed kube-proxy iptables rules');
    process.exit(0);
  } catch (e) {
    log.error({ err: (e as Error).message }, 'cleanup failed');
    process.exit(1);
  }
}
if (f['proxy-mode'] !== 'iptables') {
  log.error({ mode: f['proxy-mode'] }, 'only --proxy-mode=iptables is supported');
  process.exit(1);
}

const nodeName = (f['hostname-override'] || hostname()).trim().toLowerCase();
const clientset = new Clientset(loadRestConfig({ kubeconfig: f.kubeconfig }));
const informers = new SharedInformerFactory(clientset, { logger: log });
const proxier = new Proxier(informers, iptables, {
  nodeName,
  clusterCIDR: f['cluster-cidr'] || undefined,
  masqueradeAll: f['masquerade-all'],
  minSyncPeriodMs: parseDuration(f['iptables-min-sync-period']!),
  syncPeriodMs: parseDuration(f['iptables-sync-period']!),
  log,
});
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());
informers.start(stop.signal);
log.info({ node: nodeName, clusterCIDR: f['cluster-cidr'] }, 'kube-proxy running (iptables mode)');
await proxier.run(stop.signal);
await informers.shutdown();
process.exit(0);
