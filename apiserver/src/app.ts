// Wires the API server: storage (etcd or memory) → registry → HTTPS server, plus PKI and compaction.
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Storage } from './storage/interface.ts';
import { warmSchemas } from '@k8ts/api/schema/index.ts';
import { EtcdStorage } from './storage/etcd.ts';
import { MemoryStorage } from './storage/memory.ts';
import { startCompactor } from './storage/compactor.ts';
import { instrumented } from './storage/instrumented.ts';
import { Registry } from './registry/index.ts';
import { createServer } from './http/server.ts';
import { createMetrics } from './http/metrics.ts';
import { ensureCA, ensureServingCert, issueClientCert, type CA } from './pki/index.ts';
import { makePodProxy, makeUpgradeHandler } from './http/kubelet-proxy.ts';
import { authenticateRequest, authorize, loadTokenFile, type TokenTable } from './auth/index.ts';

export interface ApiServerOptions {
  /** etcd endpoints; empty = in-memory storage. */
  etcdServers: string[];
  bindAddress: string;
  securePort: number;
  /** Where the cluster CA and the serving certificate live (created on first start). */
  certDir: string;
  advertiseAddress?: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  tokenAuthFile?: string;
  extraSANs?: { hosts?: string[]; ips?: string[] };
  compactionIntervalMs: number;
  bookmarkIntervalMs?: number;
  /** Events each resource's watch cache keeps (default 10,000); older resourceVersions get 410. */
  watchCacheCapacity?: number;
  /** The kubelet port when a Node does not publish one (default 10250). */
  kubeletPort?: number;
  logger?: boolean | object;
  /** Log every request (upstream: -v=3 and up). */
  logRequests?: boolean;
}

export interface RunningApiServer {
  app: FastifyInstance;
  registry: Registry;
  storage: Storage;
  ca: CA;
  /** https://host:port */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const defaultApiServerOptions: Omit<ApiServerOptions, 'certDir'> = {
  etcdServers: [],
  bindAddress: '127.0.0.1',
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  compactionIntervalMs: 5 * 60_000,
};

export async function startApiServer(o: ApiServerOptions): Promise<RunningApiServer> {
  mkdirSync(o.certDir, { recursive: true });
  // Compiling the schema validators takes a moment: do it before serving, not on the first request.
  warmSchemas();
  const ca = await ensureCA(o.certDir);
  const advertise = o.advertiseAddress ?? (o.bindAddress === '0.0.0.0' ? '127.0.0.1' : o.bindAddress);
  const serving = await ensureServingCert(o.certDir, ca, {
    hosts: o.extraSANs?.hosts ?? [],
    ips: [advertise, ...(o.extraSANs?.ips ?? [])].filter((x) => x !== '0.0.0.0'),
  });
  const metrics = createMetrics();
  const storage: Storage = instrumented(o.etcdServers.length ? new EtcdStorage({ endpoints: o.etcdServers }) : new MemoryStorage(), metrics.storageLatency);
  const registry = new Registry(storage, { serviceClusterIPRange: o.serviceClusterIPRange, serviceNodePortRange: o.serviceNodePortRange, watchCacheCapacity: o.watchCacheCapacity });
  await registry.start();
  const tokens: TokenTable = o.tokenAuthFile ? loadTokenFile(o.tokenAuthFile) : new Map();
  // The API server's identity towards kubelets (logs, exec, attach, port-forward).
  const kubeletClient = await issueClientCert(ca, { user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] });
  const kubelet = { caPem: ca.certPem, certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem, defaultPort: o.kubeletPort ?? 10250 };
  const app = await createServer({
    registry, metrics,
    https: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem },
    authenticate: (req) => authenticateRequest(req.raw, { tokens }),
    authorize,
    serverAddress: `${advertise}:${o.securePort}`,
    logger: o.logger ?? false,
    logRequests: o.logRequests,
    bookmarkIntervalMs: o.bookmarkIntervalMs,
    storageHealthy: async () => { await storage.currentRevision(); return true; },
    podProxy: makePodProxy(registry, kubelet),
  });
  app.server.on('upgrade', makeUpgradeHandler(registry, kubelet, (req) => authenticateRequest(req, { tokens }) !== undefined));
  await app.listen({ host: o.bindAddress, port: o.securePort });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.securePort;
  await registry.publishEndpoints(advertise, port);
  const compactor = o.etcdServers.length ? startCompactor(storage, o.compactionIntervalMs) : undefined;
  return {
    app, registry, storage, ca, port,
    url: `https://${advertise}:${port}`,
    async stop() {
      compactor?.stop();
      await app.close();
      await registry.stop();
      await storage.close();
    },
  };
}
