// kube-controller-manager for k8ts: the namespace, replicaset, deployment, endpointslice, endpoint and
// garbage-collector controllers, under leader election.
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { Clientset, SharedInformerFactory, LeaderElector, LeaseLock, loadRestConfig, createLogger } from '@k8ts/client';
import { NamespaceController } from './namespace/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { EndpointSliceController, EndpointsController } from './endpointslice/index.ts';
import { GarbageCollector } from './garbagecollector/garbagecollector.ts';

const { values: f } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15' },
    'concurrent-namespace-syncs': { type: 'string', default: '10' },
    'concurrent-replicaset-syncs': { type: 'string', default: '5' },
    'concurrent-deployment-syncs': { type: 'string', default: '5' },
    'concurrent-service-endpoint-syncs': { type: 'string', default: '5' },
    'concurrent-endpoint-syncs': { type: 'string', default: '5' },
    'concurrent-gc-syncs': { type: 'string', default: '20' },
    'enable-garbage-collector': { type: 'string', default: 'true' },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (f.help) {
  console.log(`Usage: controller-manager --kubeconfig FILE [--leader-elect=true|false] [--concurrent-namespace-syncs N] [--concurrent-replicaset-syncs N] [--concurrent-deployment-syncs N]
  [--concurrent-service-endpoint-syncs N] [--concurrent-endpoint-syncs N] [--concurrent-gc-syncs N] [--enable-garbage-collector=true|false] [-v N]`);
  process.exit(0);
}

const log = createLogger({ component: 'kube-controller-manager', verbosity: Number(f.v) });
const clientset = new Clientset(loadRestConfig({ kubeconfig: f.kubeconfig }));
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());

async function runControllers(signal: AbortSignal): Promise<void> {
  const informers = new SharedInformerFactory(clientset, { logger: log });
  // Each controller registers its informer handlers in its constructor, so all are built before start.
  const controllers = [
    { name: 'namespace', workers: Number(f['concurrent-namespace-syncs']), ctor: NamespaceController },
    { name: 'replicaset', workers: Number(f['concurrent-replicaset-syncs']), ctor: ReplicaSetController },
    { name: 'deployment', workers: Number(f['concurrent-deployment-syncs']), ctor: DeploymentController },
    { name: 'endpointslice', workers: Number(f['concurrent-service-endpoint-syncs']), ctor: EndpointSliceController },
    { name: 'endpoint', workers: Number(f['concurrent-endpoint-syncs']), ctor: EndpointsController },
    ...(f['enable-garbage-collector'] === 'false' ? [] : [{ name: 'garbagecollector', workers: Number(f['concurrent-gc-syncs']), ctor: GarbageCollector }]),
  ].map(({ name, workers, ctor }) => ({ workers, controller: new ctor(clientset, informers, log.child({ controller: name })) }));
  informers.start(signal);
  await informers.waitForCacheSync(signal);
  log.info('caches synced; controllers running');
  await Promise.all(controllers.map(({ controller, workers }) => controller.run(workers, signal)));
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
