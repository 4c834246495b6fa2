// Lifecycle hook handlers (upstream lifecycle.handlerRunner): exec through the CRI, httpGet to the
// pod, sleep. Returns an error message, or undefined on success.
import type { Container, LifecycleHandler } from 'kubernetes-types/core/v1';
import type { CriClient } from '../cri/client.ts';
import { runProbe } from '../prober/probe.ts';

export async function runHandler(cri: CriClient, h: LifecycleHandler, containerId: string, c: Container, podIP: string, timeoutSeconds: number): Promise<string | undefined> {
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds, timeoutSeconds) * 1000));
    return undefined;
  }
  if (h.exec) {
    try {
      const r = await cri.execSync(containerId, h.exec.command ?? [], timeoutSeconds);
      if (r.exitCode === 0) return undefined;
      return `command '${(h.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${r.stdout.toString()}${r.stderr.toString()}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  if (h.httpGet || h.tcpSocket) {
    const out = await runProbe({ httpGet: h.httpGet, tcpSocket: h.tcpSocket, timeoutSeconds }, c, { cri, containerId, podIP });
    return out.result === 'success' ? undefined : out.output;
  }
  return 'hook has no handler';
}
