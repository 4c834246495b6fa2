// Prometheus metrics of the API server (prom-client).
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'verb' | 'resource' | 'subresource' | 'code'>;
  latency: Histogram<'verb' | 'resource'>;
  watchers: Gauge<'resource'>;
  storageLatency: Histogram<'operation'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.', labelNames: ['verb', 'resource', 'subresource', 'code'], registers: [registry] }),
    latency: new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb and resource.', labelNames: ['verb', 'resource'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60], registers: [registry] }),
    watchers: new Gauge({ name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resource.', labelNames: ['resource'], registers: [registry] }),
    storageLatency: new Histogram({ name: 'etcd_request_duration_seconds', help: 'Storage request latency in seconds by operation.', labelNames: ['operation'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] }),
  };
}
