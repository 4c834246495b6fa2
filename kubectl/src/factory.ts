// cmdutil.Factory: global flags → kubeconfig, REST client, RESTMapper and the namespace to use.
// Deep imports: the client's index pulls in informers, logging and WebSockets kubectl rarely needs.
import { loadKubeconfig, restConfigFromKubeconfig } from '@k8ts/client/kubeconfig.ts';
import { RestClient } from '@k8ts/client/rest.ts';
import type { Kubeconfig, RestConfig } from '@k8ts/client/kubeconfig.ts';
import type { RequestOptions } from '@k8ts/client/rest.ts';
import { discoverResources, RESTMapper } from './discovery.ts';
import type { IOStreams } from './io.ts';
import { ConfigurationError } from './errors.ts';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  requestTimeout?: string;
  cacheDir?: string;
  v?: string;
}

/** klog's header: "I1123 18:02:00.123456   12345 file.go:1] ". */
function klogPrefix(file: string): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)} ${String(process.pid).padStart(7)} ${file}] `;
}

/** A RestClient that logs requests as kubectl does at -v=6 and above. */
class LoggingRestClient extends RestClient {
  private readonly level: number;
  private readonly log: (s: string) => void;
  private readonly server: string;
  private readonly timeoutMs: number | undefined;
  constructor(cfg: RestConfig, level: number, log: (s: string) => void, warn: (w: string) => void, timeoutMs?: number) {
    super(cfg, { maxRetries: 1, backoffBaseMs: 200, warningHandler: warn, userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/k8ts' });
    this.level = level;
    this.log = log;
    this.server = cfg.server;
    this.timeoutMs = timeoutMs;
  }
  override async requestRaw(o: RequestOptions): Promise<string> {
    if (this.timeoutMs && !o.timeoutMs) o = { ...o, timeoutMs: this.timeoutMs };
    if (this.level < 6) return super.requestRaw(o);
    const start = Date.now();
    const method = (o.method ?? 'GET').toUpperCase();
    const url = this.server + o.path + queryString(o.query);
    try {
      const r = await super.requestRaw(o);
      this.log(`${klogPrefix('round_trippers.go:553')}${method} ${url} 200 OK in ${Date.now() - start} milliseconds\n`);
      if (this.level >= 8 && r) this.log(`${klogPrefix('request.go:1351')}Response Body: ${r}\n`);
      return r;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.log(`${klogPrefix('round_trippers.go:553')}${method} ${url} ${typeof code === 'number' ? code : ''} in ${Date.now() - start} milliseconds\n`);
      throw e;
    }
  }
}

function queryString(q: RequestOptions['query']): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${encodeURIComponent(String(x))}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/** --request-timeout: "0" (none), a bare number of seconds, or a Go duration ("1s", "2m", "1h30m"). */
export function requestTimeoutMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const s = v.replace(/^=/, '');
  if (/^\d+$/.test(s)) return Number(s) * 1000 || undefined;
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) ms += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[m[2]];
  return ms || undefined;
}

export class Factory {
  readonly flags: GlobalFlags;
  readonly io: IOStreams;
  private kc: Kubeconfig | undefined;
  private cfg: RestConfig | undefined;
  private client: RestClient | undefined;
  private mapper: Promise<RESTMapper> | undefined;

  constructor(flags: GlobalFlags, io: IOStreams) {
    this.flags = flags;
    this.io = io;
  }

  get verbosity(): number { return Number(this.flags.v ?? 0) || 0; }

  rawConfig(): Kubeconfig {
    this.kc ??= loadKubeconfig({ kubeconfig: this.flags.kubeconfig });
    return this.kc;
  }

  restConfig(): RestConfig {
    const kc = this.rawConfig();
    if (this.flags.context && !kc.contexts.has(this.flags.context)) {
      throw new ConfigurationError([`context was not found for specified context: ${this.flags.context}`]);
    }
    this.cfg ??= restConfigFromKubeconfig(this.rawConfig(), {
      context: this.flags.context, cluster: this.flags.cluster, user: this.flags.user,
      namespace: this.flags.namespace, server: this.flags.server, token: this.flags.token,
      insecureSkipTLSVerify: this.flags.insecureSkipTlsVerify || undefined,
    });
    return this.cfg;
  }

  rest(): RestClient {
    this.client ??= new LoggingRestClient(this.restConfig(), this.verbosity, (s) => this.io.err(s), (w) => this.io.err(`Warning: ${w}\n`), requestTimeoutMs(this.flags.requestTimeout));
    return this.client;
  }

  restMapper(): Promise<RESTMapper> {
    this.mapper ??= discoverResources(this.rest()).then((r) => new RESTMapper(r));
    return this.mapper;
  }

  /** The namespace commands default to, and whether -n gave it explicitly. */
  namespace(): { namespace: string; explicit: boolean } {
    if (this.flags.namespace) return { namespace: this.flags.namespace, explicit: true };
    return { namespace: this.restConfig().namespace || 'default', explicit: false };
  }

  close(): void { this.client?.close(); }
}
