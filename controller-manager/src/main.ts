// kube-controller-manager for k8ts: the namespace controller, under leader election.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { Clientset, SharedInformerFactory, LeaderElector, LeaseLock, loadRestConfig, createLogger } from '@k8ts/client';
import { NamespaceController } from './namespace/controller.ts';

const { values: f } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15' },
    'concurrent-namespace-syncs': { type: 'string', default: '10' },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (f.help) {
  console.log(`Usage: controller-manager --kubeconfig FILE [--leader-elect=true|false] [--concurrent-namespace-syncs N] [-v N]`);
  process.exit(0);
}

const log = createLogger({ component: 'kube-controller-manager', verbosity: Number(f.v) });
const clientset = new Clientset(loadRestConfig({ kubeconfig: f.kubeconfig }));
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());

async function runControllers(signal: AbortSignal): Promise<void> {
  const informers = new SharedInformerFactory(clientset, { logger: log });
  const namespaces = new NamespaceController(clientset, informers, log.child({ controller: 'namespace' }));
  informers.start(signal);
  await informers.waitForCacheSync(signal);
  log.info('caches synced; controllers running');
  await namespaces.run(Number(f['concurrent-namespace-syncs']), signal);
  await informers.shutdown();
}

if (f['leader-elect'] === 'false') {
  await runControllers(stop.signal);
} else {
  const identity = `${hostname()}_${process.pid}`;
  const elector = new LeaderElector({
    lock: new LeaseLock(clientset.leases(), 'kube-system', 'kube-controller-manager', identity),
    leaseDurationMs: Number(f['leader-elect-lease-duration']) * 1000,
    releaseOnCancel: true,
    logger: log,
    callbacks: {
      onStartedLeading: (signal) => runControllers(signal),
      onStoppedLeading: () => log.info('stopped leading'),
      onNewLeader: (id) => log.info({ leader: id }, 'new leader'),
    },
  });
  await elector.run(stop.signal);
}
process.exit(0);
