// The NATS log and event stream against a real nats-server: a component's pino lines and recorded
// Events arrive on their subjects; lines written before NATS is reachable are delivered once it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { connect, createServer, type Socket } from 'node:net';
import { startNatsServer, type NatsServer } from '../../cluster/src/nats.ts';
import { freePort } from '../../cluster/src/ports.ts';
import { NatsLogStream, processLogStream, subscribeStream, logSubject, eventSubject, subjectToken, type StreamMessage } from '../src/log-stream.ts';
import { createLogger } from '../src/log.ts';
import { EventRecorder } from '../src/events.ts';

let nats: NatsServer;
beforeAll(async () => { nats = await startNatsServer(); });
afterAll(async () => { await processLogStream()?.close(); await nats?.stop(); });

async function collect(url: string, subjects: string[]) {
  const got: StreamMessage[] = [];
  const ac = new AbortController();
  const sub = await subscribeStream(url, subjects, (m) => got.push(m), ac.signal);
  return { got, stop: async () => { ac.abort(); await sub.done; } };
}

/** A TCP proxy on 127.0.0.1:port to 127.0.0.1:target. */
async function proxyTo(port: number, target: number): Promise<{ stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => { sockets.delete(a); b.destroy(); });
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('subjects', () => {
  it('names node and component, and keeps tokens free of dots and wildcards', () => {
    expect(logSubject('node-1', 'kubelet')).toBe('k8ts.logs.node-1.kubelet');
    expect(logSubject(undefined, 'kube-scheduler')).toBe('k8ts.logs._.kube-scheduler');
    expect(eventSubject('kube-system')).toBe('k8ts.events.kube-system');
    expect(subjectToken('a.b c*>')).toBe('a_b_c__');
  });
});

describe('NatsLogStream on a real nats-server', () => {
  it('publishes a logger\'s lines (also written locally) and events on their subjects', async () => {
    const sub = await collect(nats.url, ['k8ts.logs.>', 'k8ts.events.>']);
    const local: string[] = [];
    const dest = new Writable({ write(c, _e, cb) { local.push(String(c)); cb(); } });
    const quiet = createLogger({ component: 'kube-scheduler', destination: dest as never, natsUrl: '' });
    quiet.info('local only');
    // As with K8TS_NATS_URL / K8TS_NODE_NAME in a component's environment:
    const log = createLogger({ component: 'kube-scheduler', node: 'n1', destination: dest as never, natsUrl: nats.url });
    log.info({ pod: 'default/p' }, 'Successfully bound pod to node');
    const stream = processLogStream()!;
    expect(stream.subject).toBe('k8ts.logs.n1.kube-scheduler');
    // The process's EventRecorder publishes each Event it writes.
    const written: unknown[] = [];
    const fakeEvents = { namespace() { return this; }, async create(e: unknown) { written.push(e); return e; }, async patch() { throw new Error('unused'); } };
    const recorder = new EventRecorder(fakeEvents as never, { component: 'default-scheduler', host: 'n1' });
    recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' } }, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
    await recorder.flush();
    await stream.connected;
    await stream.flush();
    await until(() => sub.got.length >= 2);
    const line = sub.got.find((m) => m.subject === 'k8ts.logs.n1.kube-scheduler');
    expect(JSON.parse(line!.data)).toMatchObject({ msg: 'Successfully bound pod to node', pod: 'default/p', component: 'kube-scheduler' });
    const ev = sub.got.find((m) => m.subject === 'k8ts.events.default');
    expect(JSON.parse(ev!.data)).toMatchObject({ kind: 'Event', reason: 'Scheduled', message: 'Successfully assigned default/p to n1', involvedObject: { name: 'p' } });
    expect(written).toHaveLength(1);
    expect(local.some((l) => l.includes('local only'))).toBe(true);
    expect(local.some((l) => l.includes('Successfully bound') && l.includes('"node":"n1"'))).toBe(true);
    expect(sub.got.some((m) => m.data.includes('local only'))).toBe(false);
    await stream.close();
    await sub.stop();
  });

  it('keeps lines written while NATS is not there yet, and sends them once it is', async () => {
    // The stream's URL leads nowhere until the subscriber is in place; then a proxy to the real server opens
    // there. (A server started late on that port could take the stream's retry before the subscriber, which
    // would then miss the lines.)
    const port = await freePort();
    const stream = new NatsLogStream({ url: `nats://127.0.0.1:${port}`, component: 'kubelet', node: 'n2', maxPending: 3 });
    for (let i = 0; i < 5; i++) stream.write(JSON.stringify({ msg: `early ${i}` }) + '\n');
    expect(stream.dropped).toBe(2);
    const sub = await collect(nats.url, ['k8ts.logs.n2.kubelet']);
    await new Promise((r) => setTimeout(r, 1200)); // the stream has tried, and failed, at least once more
    const proxy = await proxyTo(port, nats.port);
    try {
      // The stream retries its first connection every second; it publishes what it kept once connected.
      await stream.connected;
      await stream.flush();
      await until(() => sub.got.length >= 3);
      expect(sub.got.map((m) => JSON.parse(m.data).msg)).toEqual(['early 2', 'early 3', 'early 4']);
      await stream.close();
      await sub.stop();
    } finally {
      await proxy.stop();
    }
  });
});
