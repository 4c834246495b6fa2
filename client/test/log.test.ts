import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, levelForVerbosity, forObject } from '../src/log.ts';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); cb(); } });
  return { lines, stream };
}

describe('createLogger', () => {
  it('maps klog -v to pino levels', () => {
    expect([0, 2, 3, 4, 5, 6, 10].map(levelForVerbosity)).toEqual(['info', 'info', 'info', 'debug', 'debug', 'trace', 'trace']);
  });

  it('writes JSON with the component, honours verbosity, and adds object keys on children', async () => {
    const s = sink();
    const log = createLogger({ component: 'kube-scheduler', verbosity: 4, destination: s.stream });
    log.info('hello');
    log.debug('visible at v=4');
    log.trace('hidden below v=6');
    forObject(log, { metadata: { namespace: 'ns', name: 'p' } }).info('scheduled');
    forObject(log, { metadata: { name: 'node-1' } }).warn('cluster-scoped');
    await new Promise((r) => setImmediate(r));
    expect(s.lines.map((l) => l.msg)).toEqual(['hello', 'visible at v=4', 'scheduled', 'cluster-scoped']);
    expect(s.lines[0]).toMatchObject({ component: 'kube-scheduler', level: 30 });
    expect(s.lines[2]).toMatchObject({ object: 'ns/p' });
    expect(s.lines[3]).toMatchObject({ object: 'node-1', level: 40 });
    const quiet = sink();
    const q = createLogger({ component: 'x', destination: quiet.stream });
    q.debug('no');
    await new Promise((r) => setImmediate(r));
    expect(quiet.lines).toEqual([]);
  });
});
