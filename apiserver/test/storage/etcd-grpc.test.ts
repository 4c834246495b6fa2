// The gRPC channel against a small HTTP/2 server of the test's own: statuses, deadlines, which failures are tried
// again (reads, and writes that were certainly not sent), connection rollover, and streams.
import http2, { type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, Code, GrpcError } from '../../src/storage/etcd/grpc.ts';

const frame = (payload: Buffer) => { const h = Buffer.alloc(5); h.writeUInt32BE(payload.length, 1); return Buffer.concat([h, payload]); };

interface Fake {
  server: Http2Server;
  url: string;
  calls: string[];
  sessions: number;
}
const servers: Http2Server[] = [];
const channels: Channel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server whose handler answers each call; it counts calls (by path) and connections. */
async function fake(handle: (stream: ServerHttp2Stream, body: Buffer, path: string) => void, port = 0): Promise<Fake> {
  const server = http2.createServer();
  const f: Fake = { server, url: '', calls: [], sessions: 0 };
  server.on('session', () => { f.sessions++; });
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    f.calls.push(path);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handle(stream, Buffer.concat(chunks), path));
    stream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  servers.push(server);
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return f;
}

function channel(url: string, opts: ConstructorParameters<typeof Channel>[1] = {}): Channel {
  const c = new Channel([url], { retryDelayMs: 20, ...opts });
  channels.push(c);
  return c;
}

/** Echoes the request message back, with status OK in trailers. */
const echo = (stream: ServerHttp2Stream, body: Buffer) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(body);
};

describe('gRPC channel', () => {
  it('a unary call: the message goes out length-prefixed and the answer comes back unwrapped', async () => {
    const f = await fake(echo);
    const got = await channel(f.url).unary('/etcdserverpb.KV/Range', frame(Buffer.from('hello')), 5_000, true);
    expect(got.toString()).toBe('hello');
    expect(f.calls).toEqual(['/etcdserverpb.KV/Range']);
  });

  it('an error status in a trailers-only answer, its message percent-decoded', async () => {
    const f = await fake((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '11', 'grpc-message': 'etcdserver: mvcc: required revision has been compacted%20%E2%9C%93' }, { endStream: true });
    });
    const err = await channel(f.url).unary('/etcdserverpb.KV/Range', frame(Buffer.alloc(0)), 5_000, true).catch((e: unknown) => e) as GrpcError;
    expect(err).toBeInstanceOf(GrpcError);
    expect(err.code).toBe(Code.OutOfRange);
    expect(err.message).toBe('etcdserver: mvcc: required revision has been compacted ✓');
    expect(f.calls.length).toBe(1); // an answer from the server is not tried again
  });

  it('a deadline: the call fails with DeadlineExceeded, tells the server its timeout, and cancels the stream', async () => {
    let timeoutHeader: string | undefined;
    let canceled = false;
    const f = await fake(() => { /* never answers */ });
    f.server.on('stream', (stream, headers) => {
      timeoutHeader = String(headers['grpc-timeout']);
      stream.on('close', () => { canceled = true; });
    });
    const t0 = Date.now();
    const err = await channel(f.url).unary('/etcdserverpb.KV/Txn', frame(Buffer.alloc(1)), 150, false).catch((e: unknown) => e) as GrpcError;
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(timeoutHeader).toMatch(/^1[45]\dm$/);
    await expect.poll(() => canceled).toBe(true);
  });

  it('a write is not sent again once it may have reached the server; a read is', async () => {
    const f = await fake((stream) => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    const c = channel(f.url);
    const write = await c.unary('/etcdserverpb.KV/Txn', frame(Buffer.alloc(1)), 5_000, false).catch((e: unknown) => e) as GrpcError;
    expect(write.code).toBe(Code.Unavailable);
    expect(f.calls.filter((p) => p.endsWith('/Txn')).length).toBe(1);
    const read = await c.unary('/etcdserverpb.KV/Range', frame(Buffer.alloc(1)), 5_000, true).catch((e: unknown) => e) as GrpcError;
    expect(read.code).toBe(Code.Unavailable);
    expect(f.calls.filter((p) => p.endsWith('/Range')).length).toBe(3);
  });

  it('a write that found no server is sent again, and succeeds once the server is up', async () => {
    // Take a free port, then start listening on it only after the first attempt failed.
    const probe = await fake(echo);
    const url = probe.url;
    const port = Number(new URL(url).port);
    await new Promise((r) => probe.server.close(r));
    servers.splice(servers.indexOf(probe.server), 1);
    const c = channel(url, { attempts: 5, retryDelayMs: 40 });
    const pending = c.unary('/etcdserverpb.KV/Txn', frame(Buffer.from('w')), 5_000, false);
    await new Promise((r) => setTimeout(r, 60));
    const f = await fake(echo, port);
    expect((await pending).toString()).toBe('w');
    expect(f.calls).toEqual(['/etcdserverpb.KV/Txn']);
  });

  it('with nothing listening, calls fail Unavailable after their attempts', async () => {
    const probe = await fake(echo);
    await new Promise((r) => probe.server.close(r));
    servers.splice(servers.indexOf(probe.server), 1);
    const err = await channel(probe.url).unary('/etcdserverpb.KV/Txn', frame(Buffer.alloc(1)), 5_000, false).catch((e: unknown) => e) as GrpcError;
    expect(err.code).toBe(Code.Unavailable);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('many calls share one connection; after streamsPerConnection a new one is opened', async () => {
    const f = await fake(echo);
    const c = channel(f.url, { streamsPerConnection: 4 });
    await Promise.all(Array.from({ length: 4 }, (_, i) => c.unary('/x', frame(Buffer.from(String(i))), 5_000, true)));
    expect(f.sessions).toBe(1);
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => c.unary('/x', frame(Buffer.from(String(i))), 5_000, true)));
    expect(more.map(String)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(f.sessions, JSON.stringify(f.calls)).toBe(3);
  });

  it('a stream delivers messages as they come, split or joined across chunks, and reports its end', async () => {
    const f = await fake(() => {});
    f.server.removeAllListeners('stream');
    f.server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('data', (chunk: Buffer) => {
        // Answer each request frame with two frames, the second written in two pieces.
        const msg = chunk.subarray(5).toString();
        const both = Buffer.concat([frame(Buffer.from(`${msg}-1`)), frame(Buffer.from(`${msg}-2`))]);
        stream.write(both.subarray(0, both.length - 3));
        setTimeout(() => {
          stream.write(both.subarray(both.length - 3));
          if (msg === 'end') stream.end();
        }, 5);
      });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    });
    const got: string[] = [];
    let ended: GrpcError | undefined;
    const s = channel(f.url).stream('/etcdserverpb.Watch/Watch', (m) => got.push(m.toString()), (e) => { ended = e; });
    s.write(frame(Buffer.from('a')));
    await expect.poll(() => got.length).toBe(2);
    s.write(frame(Buffer.from('end')));
    await expect.poll(() => ended).toBeDefined();
    expect(got).toEqual(['a-1', 'a-2', 'end-1', 'end-2']);
    expect(ended!.code).toBe(Code.OK);
  });

  it('a canceled stream ends with Cancelled, and the server sees it go', async () => {
    let closed = false;
    const f = await fake(() => {});
    f.server.removeAllListeners('stream');
    f.server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.on('close', () => { closed = true; });
      stream.on('error', () => {});
    });
    let ended: GrpcError | undefined;
    const s = channel(f.url).stream('/etcdserverpb.Watch/Watch', () => {}, (e) => { ended = e; });
    s.write(frame(Buffer.from('a')));
    await new Promise((r) => setTimeout(r, 50));
    s.cancel();
    await expect.poll(() => ended?.code).toBe(Code.Cancelled);
    await expect.poll(() => closed).toBe(true);
  });
});

describe('gRPC channel keepalive', () => {
  it('a server that stops answering (no FIN, no RST) ends open streams with Unavailable, after the ping timeout', async () => {
    // A TCP server that accepts and then says nothing: a host that vanished from the network.
    const sockets: import('node:net').Socket[] = [];
    const silent = (await import('node:net')).createServer((sock) => { sockets.push(sock); sock.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = channel(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { keepaliveMs: 50, keepaliveTimeoutMs: 100 });
      let ended: GrpcError | undefined;
      const t0 = Date.now();
      c.stream('/etcdserverpb.Watch/Watch', () => {}, (e) => { ended = e; });
      await expect.poll(() => ended, { timeout: 3_000 }).toBeDefined();
      expect(ended!.code).toBe(Code.Unavailable);
      expect(ended!.message).toMatch(/keepalive ping/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a server that answers pings keeps a quiet stream open', async () => {
    const f = await fake(() => {});
    f.server.removeAllListeners('stream');
    f.server.on('stream', (stream) => { stream.respond({ ':status': 200, 'content-type': 'application/grpc' }); stream.on('error', () => {}); });
    let pings = 0;
    f.server.on('session', (s) => s.on('ping', () => { pings++; }));
    let ended: GrpcError | undefined;
    const s = channel(f.url, { keepaliveMs: 50, keepaliveTimeoutMs: 100 }).stream('/etcdserverpb.Watch/Watch', () => {}, (e) => { ended = e; });
    s.write(frame(Buffer.from('a')));
    await new Promise((r) => setTimeout(r, 400));
    expect(ended).toBeUndefined();
    expect(pings).toBeGreaterThanOrEqual(3);
    s.cancel();
  });
});
