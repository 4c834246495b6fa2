// kube-scheduler for k8ts: flags as upstream where they apply.
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import { Clientset, buildConfigFromFlags, createLogger } from '@k8ts/client';
import { readFileSync } from 'node:fs';
import { startScheduler } from './app.ts';
import { buildProfiles, parseDuration, parseSchedulerConfig } from './config.ts';
import { newSchedulerMetrics } from './metrics.ts';
import type { Scheduler } from './scheduler.ts';

// Boolean flags accept "--leader-elect", "--leader-elect=false" and "--leader-elect false", as pflag does.
const argv = process.argv.slice(2).flatMap((a, i, all) =>
  a === '--leader-elect' && !/^(true|false)$/.test(all[i + 1] ?? '') ? ['--leader-elect=true'] : [a],
);

const { values: f } = parseArgs({
  args: argv,
  options: {
    config: { type: 'string' },
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15s' },
    'leader-elect-renew-deadline': { type: 'string', default: '10s' },
    'leader-elect-retry-period': { type: 'string', default: '2s' },
    'leader-elect-resource-namespace': { type: 'string', default: 'kube-system' },
    'leader-elect-resource-name': { type: 'string', default: 'kube-scheduler' },
    'scheduler-name': { type: 'string', default: 'default-scheduler' },
    'percentage-of-nodes-to-score': { type: 'string', default: '0' },
    'pod-initial-backoff-seconds': { type: 'string', default: '1' },
    'pod-max-backoff-seconds': { type: 'string', default: '10' },
    'kube-api-qps': { type: 'string', default: '50' },
    'kube-api-burst': { type: 'string', default: '100' },
    'bind-address': { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '10251' },
    v: { type: 'string', short: 'v', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (f.help) {
  console.log(`Usage: scheduler [flags]
  --config FILE                           a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1); its
                                          settings replace the corresponding flags
  --kubeconfig FILE                       kubeconfig with the API server and credentials
  --master URL                            API server address (overrides the kubeconfig)
  --leader-elect BOOL                     elect a leader on a Lease before scheduling (default true)
  --leader-elect-lease-duration DUR       (default 15s)
  --leader-elect-renew-deadline DUR       (default 10s)
  --leader-elect-retry-period DUR         (default 2s)
  --leader-elect-resource-namespace NS    (default kube-system)
  --leader-elect-resource-name NAME       (default kube-scheduler)
  --scheduler-name NAME                   pods with this spec.schedulerName are scheduled (default default-scheduler)
  --percentage-of-nodes-to-score N        0 = adaptive (50% - nodes/125, at least 5%)
  --pod-initial-backoff-seconds N         (default 1)
  --pod-max-backoff-seconds N             (default 10)
  --kube-api-qps N --kube-api-burst N     client rate limit (default 50 / 100)
  --bind-address IP --port N              plain HTTP for /healthz, /livez, /readyz, /metrics (default 127.0.0.1:10251; 0 disables)
  -v N                                    log verbosity`);
  process.exit(0);
}

function duration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new Error(`invalid duration ${s}`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

const log = createLogger({ component: 'kube-scheduler', verbosity: Number(f.v) });
function fatal(e: unknown): never {
  console.error(`Error: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
}
let sc: ReturnType<typeof parseSchedulerConfig> | undefined;
let cfg: ReturnType<typeof buildConfigFromFlags>;
try {
  sc = f.config ? parseSchedulerConfig(readFileSync(f.config, 'utf8')) : undefined;
  if (sc) buildProfiles(sc, {}); // validates plugin names and args before connecting
  cfg = buildConfigFromFlags(f.master, f.kubeconfig ?? (sc?.clientConnection?.kubeconfig || undefined));
} catch (e) {
  fatal(e);
}
const le = sc?.leaderElection ?? {};
cfg.qps = sc?.clientConnection?.qps ?? Number(f['kube-api-qps']);
cfg.burst = sc?.clientConnection?.burst ?? Number(f['kube-api-burst']);
cfg.userAgent ??= 'kube-scheduler/v1.32.0 (linux/amd64) k8ts';
const clientset = new Clientset(cfg);

let sched: Scheduler | undefined;
const metrics = newSchedulerMetrics(() => sched?.queue);
const pct = sc?.percentageOfNodesToScore ?? Number(f['percentage-of-nodes-to-score']);
const running = startScheduler({
  clientset,
  logger: log,
  config: sc,
  schedulerName: f['scheduler-name'],
  leaderElect: le.leaderElect ?? f['leader-elect'] === 'true',
  leaseNamespace: le.resourceNamespace ?? f['leader-elect-resource-namespace'],
  leaseName: le.resourceName ?? f['leader-elect-resource-name'],
  leaseDurationMs: parseDuration(le.leaseDuration, duration(f['leader-elect-lease-duration']!)),
  renewDeadlineMs: parseDuration(le.renewDeadline, duration(f['leader-elect-renew-deadline']!)),
  retryPeriodMs: parseDuration(le.retryPeriod, duration(f['leader-elect-retry-period']!)),
  percentageOfNodesToScore: pct > 0 ? pct : undefined,
  podInitialBackoffMs: (sc?.podInitialBackoffSeconds ?? Number(f['pod-initial-backoff-seconds'])) * 1000,
  podMaxBackoffMs: (sc?.podMaxBackoffSeconds ?? Number(f['pod-max-backoff-seconds'])) * 1000,
  metrics,
  onLeadershipLost: () => {
    log.error('leaderelection lost');
    process.exit(1);
  },
});
sched = running.scheduler;
let ready = false;
void running.started.then(() => (ready = true));

const port = Number(f.port);
const server =
  port > 0
    ? createServer(async (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/healthz' || path === '/livez') {
          res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        } else if (path === '/readyz') {
          res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ready ? 'ok' : 'informers not synced');
        } else if (path === '/metrics') {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(await metrics.registry.metrics());
        } else {
          res.writeHead(404).end();
        }
      }).listen(port, f['bind-address'])
    : undefined;

log.info({ leaderElect: f['leader-elect'], port }, 'kube-scheduler starting');
const shutdown = async () => {
  log.info('shutting down');
  server?.close();
  await running.stop();
  clientset.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
