// Servers on picked ports: a port taken between the pick and the server's bind (by a client's connect()
// or another server) must not fail a start, and must never make us talk to a server that is not ours.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

const picks = vi.hoisted(() => [] as number[]);
vi.mock('../src/ports.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/ports.ts')>();
  // The next picks come from the test; then the real freePort.
  return { ...real, freePort: async (host?: string) => picks.shift() ?? real.freePort(host) };
});

const { startEtcd } = await import('../src/etcd.ts');
const { startNatsServer } = await import('../src/nats.ts');
const { freePort } = await vi.importActual<typeof import('../src/ports.ts')>('../src/ports.ts');

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  picks.length = 0;
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** A listener that accepts connections and never answers (as a busy or foreign server may). */
async function listen(port: number): Promise<Server> {
  const conns = new Set<Socket>();
  const s = createServer((c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', resolve); });
  stops.push(() => new Promise((r) => { s.close(r); for (const c of conns) c.destroy(); }));
  return s;
}

describe('freePort', () => {
  it('picks a port below the ephemeral range and the NodePort range that nothing listens on', async () => {
    const ephemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(20_000), expect(p).toBeLessThan(Math.min(ephemeral, 30_000));
    await listen(ports[0]!);
  });
});

describe('startEtcd on a port that was taken after the pick', () => {
  it('does not take another etcd on that port for its own, and starts on other ports', async () => {
    const other = await startEtcd();
    stops.push(() => other.stop());
    picks.push(Number(new URL(other.endpoint).port));
    const etcd = await startEtcd();
    stops.push(() => etcd.stop());
    expect(etcd.endpoint).not.toBe(other.endpoint);
    // Ours: a key written through it is not in the other one.
    const put = (endpoint: string, value: string) => fetch(`${endpoint}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: btoa('k'), value: btoa(value) }) });
    await put(etcd.endpoint, 'ours');
    const range = await fetch(`${other.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: btoa('k') }) });
    expect(((await range.json()) as { kvs?: unknown[] }).kvs).toBeUndefined();
  });

  it('starts on other ports when its client port is held by a server that never answers', async () => {
    const busy = await listen(await freePort());
    picks.push((busy.address() as { port: number }).port);
    const etcd = await startEtcd();
    stops.push(() => etcd.stop());
    expect((await fetch(`${etcd.endpoint}/health`)).ok).toBe(true);
  });

  it('starts on other ports when its peer port is taken', async () => {
    const busy = await listen(await freePort());
    picks.push(await freePort(), (busy.address() as { port: number }).port);
    const etcd = await startEtcd();
    stops.push(() => etcd.stop());
    expect((await fetch(`${etcd.endpoint}/health`)).ok).toBe(true);
  });

  it('fails, saying why, when the client port it was given is taken; its data directory is gone', async () => {
    const busy = await listen(await freePort());
    const port = (busy.address() as { port: number }).port;
    const before = new Set(readdir());
    await expect(startEtcd({ clientPort: port })).rejects.toThrow(new RegExp(`etcd exited while starting \\(http://127.0.0.1:${port}\\): .*127.0.0.1:${port}: bind: address already in use`));
    expect(readdir().filter((d) => !before.has(d) && existsSync(`/tmp/${d}`))).toEqual([]);
  });
});

describe('startNatsServer on a port that was taken after the pick', () => {
  it('does not take the server on that port for its own, and starts on another', async () => {
    const other = await startNatsServer();
    stops.push(() => other.stop());
    picks.push(other.port);
    const nats = await startNatsServer();
    stops.push(() => nats.stop());
    expect(nats.port).not.toBe(other.port);
    expect(await nats.process.output()).toContain(`Listening for client connections on 127.0.0.1:${nats.port}`);
  });

  it('fails, saying why, when the port it was given is taken', async () => {
    const busy = await listen(await freePort());
    const port = (busy.address() as { port: number }).port;
    await expect(startNatsServer({ port })).rejects.toThrow(/nats-server exited while starting: .*address already in use/);
  });
});

function readdir(): string[] {
  return readdirSync('/tmp').filter((d) => d.startsWith('k8ts-etcd-'));
}
