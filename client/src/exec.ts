// pods/exec over WebSocket (v5.channel.k8s.io, falling back to v4): stdin, stdout, stderr and the exit code.
import WebSocket from 'ws';
import { statusError, StatusError } from '@k8ts/api/status.ts';
import type { RestConfig } from './kubeconfig.ts';

export interface ExecOptions {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  stdin?: NodeJS.ReadableStream;
  tty?: boolean;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
}

const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, CLOSE = 255;

/** The exit code carried by the final status frame (channel 3), as upstream's remotecommand reads it. */
export function exitCodeFromStatus(text: string): number {
  const s = JSON.parse(text) as { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  if (s.status === 'Success') return 0;
  if (s.reason === 'NonZeroExitCode') {
    const c = s.details?.causes?.find((x) => x.reason === 'ExitCode');
    const n = Number(c?.message);
    if (Number.isInteger(n)) return n;
  }
  throw statusError(500, 'InternalError', s.message ?? 'exec failed');
}

/** Runs a command in a container; resolves with its exit code. */
export function execInPod(config: RestConfig, o: ExecOptions): Promise<number> {
  const q = new URLSearchParams();
  for (const c of o.command) q.append('command', c);
  if (o.container) q.set('container', o.container);
  if (o.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!o.tty) q.set('stderr', 'true');
  if (o.tty) q.set('tty', 'true');
  const base = config.server.replace(/^http/, 'ws').replace(/\/+$/, '');
  const url = `${base}/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/exec?${q}`;
  const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
    ca: config.ca, cert: config.cert, key: config.key,
    rejectUnauthorized: !config.insecureSkipTLSVerify,
    headers: config.token ? { Authorization: `Bearer ${config.token}` } : {},
  });
  return new Promise((resolve, reject) => {
    let code: number | undefined;
    let failure: Error | undefined;
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        try {
          reject(new StatusError(JSON.parse(body)));
        } catch {
          reject(statusError(res.statusCode ?? 500, 'InternalError', body || `exec failed with HTTP ${res.statusCode}`));
        }
      });
    });
    ws.on('open', () => {
      if (!o.stdin) return;
      o.stdin.on('data', (d: Buffer | string) => ws.send(Buffer.concat([Buffer.from([STDIN]), Buffer.from(d)])));
      o.stdin.on('end', () => {
        // v5 can say "stdin is closed"; v4 cannot, the command then sees no EOF.
        if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([CLOSE, STDIN]));
      });
    });
    ws.on('message', (m: Buffer) => {
      if (!m.length) return;
      const data = m.subarray(1);
      switch (m[0]) {
        case STDOUT: o.stdout(data); break;
        case STDERR: o.stderr(data); break;
        case ERROR:
          try { code = exitCodeFromStatus(data.toString()); } catch (e) { failure = e as Error; }
          break;
      }
    });
    ws.on('error', (e) => reject(e));
    ws.on('close', () => (failure ? reject(failure) : resolve(code ?? 0)));
  });
}
