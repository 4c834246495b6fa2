// kubectl get -w / --watch-only / --output-watch-events: ours and the real kubectl 1.32 watch the same
// server side by side; after a change made through the API both print the same lines (ages aside) and
// both exit 1 on SIGINT.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { startEnv, normaliseAges, type Env, type Result } from './helpers.ts';
import { start, lines, completeLines, hasLine, type Running } from './watching.ts';
import { RememberingTabWriter, formatEventType, WatchGenericPrinter } from '../src/cmd/watch.ts';

let env: Env;
let n = 0;

async function createPod(name: string, ns = 'default'): Promise<void> {
  const r = await env.server.req('POST', `/api/v1/namespaces/${ns}/pods`, {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  });
  expect(r.status, r.text).toBe(201);
}

async function touch(name: string): Promise<void> {
  const r = await env.server.req('PATCH', `/api/v1/namespaces/default/pods/${name}`, { body: { metadata: { labels: { touched: String(++n) } } }, contentType: 'application/merge-patch+json' });
  expect(r.status, r.text).toBe(200);
}

beforeAll(async () => {
  env = await startEnv();
  expect((await env.server.req('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } } })).status).toBe(201);
  await createPod('w1');
  await createPod('w2');
  await createPod('x1', 'other');
}, 60_000);
afterAll(async () => { await env?.stop(); });

/** Starts both, waits for `ready` lines of output in each, runs `change`, waits for `after` lines, interrupts both. */
async function watchBoth(args: string[], ready: (s: string) => boolean, change: () => Promise<void>, after: (s: string) => boolean): Promise<{ real: Result; ours: Result }> {
  const real = start(env, 'real', args);
  const ours = start(env, 'ours', args);
  const all: Running[] = [real, ours];
  try {
    await Promise.all(all.map((r) => r.until(ready)));
    // The watch request goes out right after the first output; a change made before it is established
    // would be folded into a single object's synthetic ADDED event (which kubectl skips). Let both settle.
    await new Promise((r) => setTimeout(r, 1000));
    await change();
    await Promise.all(all.map((r) => r.until(after)));
    const [r, o] = await Promise.all([real.interrupt(), ours.interrupt()]);
    return { real: r, ours: o };
  } finally {
    for (const r of all) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  }
}

function expectSame(real: Result, ours: Result): void {
  expect(ours.code).toBe(real.code);
  expect(ours.code).toBe(1);
  expect(ours.stderr).toBe(real.stderr);
  expect(normaliseAges(ours.stdout)).toBe(normaliseAges(real.stdout));
}

describe('kubectl get -w (golden)', () => {
  it('get pods -w: the table, then each changed row without headers', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w'], (s) => lines(s) >= 3, () => touch('w1'), (s) => completeLines(s) >= 4);
    expectSame(real, ours);
    expect(ours.stdout.split('\n').slice(0, 1)[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE$/);
    expect(lines(ours.stdout)).toBe(4);
    expect(ours.stdout.split('\n')[3]).toMatch(/^w1 +0\/1 +Pending +0 +\S+$/);
  }, 60_000);

  it('--output-watch-events adds the EVENT column; a longer new name widens later rows only', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '--output-watch-events'], (s) => lines(s) >= 3, () => createPod('w-with-a-much-longer-name'), (s) => hasLine(s, 'much-longer'));
    expectSame(real, ours);
    expect(ours.stdout).toMatch(/^EVENT +NAME +READY +STATUS +RESTARTS +AGE\nADDED {6}w1 +/);
    expect(ours.stdout).toMatch(/\nADDED {6}w-with-a-much-longer-name   0\/1 +Pending/);
  }, 60_000);

  it('get pod NAME -w watches that object only, skipping the initial ADDED event', async () => {
    const { real, ours } = await watchBoth(['get', 'pod', 'w2', '-w'], (s) => lines(s) >= 2, async () => { await touch('w1'); await touch('w2'); }, (s) => completeLines(s) >= 3);
    expectSame(real, ours);
    expect(lines(ours.stdout)).toBe(3);
  }, 60_000);

  it('get pod/NAME -w --output-watch-events', async () => {
    const { real, ours } = await watchBoth(['get', 'pod/w2', '-w', '--output-watch-events'], (s) => lines(s) >= 2, () => touch('w2'), (s) => hasLine(s, 'MODIFIED'));
    expectSame(real, ours);
  }, 60_000);

  it('-A -w shows the NAMESPACE column', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-A', '-w'], (s) => s.includes('x1'), () => touch('w1'), (s) => completeLines(s) >= 6);
    expectSame(real, ours);
    expect(ours.stdout).toMatch(/^NAMESPACE +NAME +READY/);
  }, 60_000);

  it('-o name prints each object\'s name', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '-o', 'name'], (s) => lines(s) >= 3, () => touch('w2'), (s) => completeLines(s) >= 4);
    expectSame(real, ours);
    expect(ours.stdout.split('\n')[3]).toBe('pod/w2');
  }, 60_000);

  it('-o json --output-watch-events prints one compact event per line', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '-o', 'json', '--output-watch-events', '-l', 'app=w'], (s) => lines(s) >= 3, () => touch('w1'),
      // The real kubectl writes each event's JSON and its newline in two writes: wait for the whole fourth line.
      (s) => completeLines(s) >= 4);
    expect(ours).toEqual(real);
    const last = JSON.parse(ours.stdout.trim().split('\n')[3]);
    expect(last.type).toBe('MODIFIED');
    expect(last.object.metadata.name).toBe('w1');
    expect(ours.stdout.trim().split('\n')[3].startsWith('{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod",')).toBe(true);
  }, 60_000);

  it('-o yaml separates the objects with ---', async () => {
    // kubectl writes the separator and the object in two writes: wait for the whole second object.
    const { real, ours } = await watchBoth(['get', 'pod', 'w1', '-w', '-o', 'yaml'], (s) => s.includes('qosClass'), () => touch('w1'),
      (s) => /qosClass: \S+\n/.test(s.split('\n---\n')[1] ?? ''));
    expect(ours).toEqual(real);
  }, 60_000);

  it('deletions print the row of the deleted object', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '--output-watch-events'], (s) => lines(s) >= 4, async () => {
      expect((await env.server.req('DELETE', '/api/v1/namespaces/default/pods/w-with-a-much-longer-name')).status).toBe(200);
    }, (s) => hasLine(s, 'DELETED'));
    expectSame(real, ours);
  }, 60_000);

  it('--watch-only prints only changes (headers with the first one)', async () => {
    const real = start(env, 'real', ['get', 'pods', '--watch-only']);
    const ours = start(env, 'ours', ['get', 'pods', '--watch-only']);
    // Nothing is printed until a change arrives; touch until both have seen one.
    const seen = (s: string) => lines(s) >= 2;
    for (let i = 0; i < 20 && !(seen(real.stdout()) && seen(ours.stdout())); i++) {
      await touch('w2');
      await Promise.race([Promise.all([real.until(seen, 1500), ours.until(seen, 1500)]), new Promise((r) => setTimeout(r, 1500))]).catch(() => {});
    }
    const [r, o] = await Promise.all([real.interrupt(), ours.interrupt()]);
    expect(o.code).toBe(r.code);
    const out = o.stdout.split('\n').filter(Boolean);
    expect(out[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE$/);
    expect(out.slice(1).every((l) => /^w2 +0\/1 +Pending/.test(l))).toBe(true);
    expect(out.filter((l) => l.startsWith('NAME')).length).toBe(1);
    expect(normaliseAges(r.stdout).split('\n')[0]).toBe(normaliseAges(o.stdout).split('\n')[0]);
  }, 60_000);

  it('-o jsonpath applies the template to each object', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '-o', 'jsonpath={.metadata.name}={.metadata.labels.touched}{"\\n"}'], (s) => lines(s) >= 2, () => touch('w1'), (s) => completeLines(s) >= 3);
    expect(ours).toEqual(real);
    expect(ours.stdout).toMatch(new RegExp(`^w1=\\d+\\nw2=\\d+\\nw1=${n}\\n$`));
  }, 60_000);

  it('-o custom-columns prints each object as the real kubectl does', async () => {
    const { real, ours } = await watchBoth(['get', 'pods', '-w', '-o', 'custom-columns=NAME:.metadata.name,TOUCHED:.metadata.labels.touched'], (s) => lines(s) >= 3, () => touch('w2'), (s) => completeLines(s) >= 4);
    expect(ours).toEqual(real);
    expect(ours.stdout).toContain('w2');
  }, 60_000);

  for (const args of [
    ['get', 'pods', '--output-watch-events'],
    ['get', '-w'],
    ['get', 'pods,svc', '-w'],
    ['get', 'pods', 'w1', 'w2', '-w', '-o', 'name'],
    ['get', 'pod', 'nope', '-w'],
  ]) {
    it(`${args.join(' ')} fails as kubectl fails`, async () => {
      const [real, ours] = await Promise.all([env.real(args), env.ours(args)]);
      expect(ours).toEqual(real);
      expect(ours.code).toBe(1);
    }, 30_000);
  }
});

describe('when the server goes away', () => {
  it('the watch ends as kubectl\'s does (exit code and output)', async () => {
    const own = await startEnv();
    let stopped = false;
    try {
      const r = await own.server.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
      expect(r.status).toBe(201);
      const real = start(own, 'real', ['get', 'cm', 'c', '-w']);
      const ours = start(own, 'ours', ['get', 'cm', 'c', '-w']);
      await Promise.all([real.until((x) => lines(x) >= 2), ours.until((x) => lines(x) >= 2)]);
      await new Promise((res) => setTimeout(res, 1000));
      await own.server.stop();
      stopped = true;
      const timeout = (p: Promise<Result>) => Promise.race([p, new Promise<Result>((res) => setTimeout(() => res({ code: -1, stdout: 'still running', stderr: '' }), 20_000))]);
      const [rr, oo] = await Promise.all([timeout(real.exited), timeout(ours.exited)]);
      for (const x of [real, ours]) if (x.child.exitCode === null) x.child.kill('SIGKILL');
      expect(oo.code).toBe(rr.code);
      expect(oo.code).toBe(0);
      expect(normaliseAges(oo.stdout)).toBe(normaliseAges(rr.stdout));
    } finally {
      if (!stopped) await own.stop();
      else rmSync(own.work, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('watch printers', () => {
  it('remembers column widths across flushes (liggitt/tabwriter RememberWidths)', () => {
    const w = new RememberingTabWriter();
    w.write('NAME\tAGE\nlonger-name\t1s\n');
    expect(w.flush()).toBe('NAME          AGE\nlonger-name   1s\n');
    w.write('a\t2s\n');
    expect(w.flush()).toBe('a             2s\n');
    w.write('the-longest-name-yet\t3s\n');
    expect(w.flush()).toBe('the-longest-name-yet   3s\n');
    w.write('b\t4s\n');
    expect(w.flush()).toBe('b                      4s\n');
  });
  it('pads event types as kubectl does', () => {
    expect(['ADDED', 'MODIFIED', 'DELETED', 'ERROR', 'BOOKMARK'].map(formatEventType)).toEqual(['ADDED   ', 'MODIFIED', 'DELETED ', 'ERROR   ', 'BOOKMARK']);
  });
  it('prints yaml documents with separators and json events compactly', () => {
    const y = new WatchGenericPrinter('yaml', false);
    expect(y.print({ kind: 'Pod', metadata: { name: 'a', managedFields: [] } }) + y.print({ kind: 'Pod', metadata: { name: 'b' } })).toBe('kind: Pod\nmetadata:\n  name: a\n---\nkind: Pod\nmetadata:\n  name: b\n');
    expect(new WatchGenericPrinter('json', false).print({ kind: 'Pod', apiVersion: 'v1' }, 'ADDED')).toBe('{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod"}}\n');
  });
});
