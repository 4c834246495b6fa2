import { describe, it, expect, afterAll } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectRecords, streamLog, logTimeMs } from '../src/server/logs.ts';
import { logOptionsFromQuery } from '../src/server/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = [
  '2026-01-01T00:00:01.000000001Z stdout F one',
  '2026-01-01T00:00:02.000000001Z stderr F two',
  '2026-01-01T00:00:03.000000001Z stdout P thr',
  '2026-01-01T00:00:03.500000001Z stdout F ee',
  '2026-01-01T00:00:04.000000001Z stdout F four',
  '',
].join('\n');

async function collect(path: string, o: Parameters<typeof streamLog>[1], running: () => Promise<boolean> = async () => false): Promise<string> {
  let out = '';
  await streamLog(path, o, { write: (s) => { out += s; }, closed: () => false }, running, 20);
  return out;
}

describe('container log serving', () => {
  it('renders records as written, with timestamps on demand', async () => {
    const p = join(dir, 'a.log');
    writeFileSync(p, log);
    expect(await collect(p, {})).toBe('one\ntwo\nthree\nfour\n');
    expect(await collect(p, { timestamps: true })).toBe('2026-01-01T00:00:01.000000001Z one\n2026-01-01T00:00:02.000000001Z two\n2026-01-01T00:00:03.000000001Z thr2026-01-01T00:00:03.500000001Z ee\n2026-01-01T00:00:04.000000001Z four\n');
    expect(await collect(p, { limitBytes: 6 })).toBe('one\ntw');
  });

  it('tails whole lines and filters by time', () => {
    expect(selectRecords(log, { tailLines: 2 }).map((r) => r.content)).toEqual(['thr', 'ee', 'four']);
    expect(selectRecords(log, { tailLines: 0 })).toEqual([]);
    expect(selectRecords(log, { tailLines: 10 })).toHaveLength(5);
    expect(selectRecords(log, { sinceMs: logTimeMs('2026-01-01T00:00:03.5Z') }).map((r) => r.content)).toEqual(['ee', 'four']);
    const q = logOptionsFromQuery(new URLSearchParams('follow=true&tailLines=3&sinceSeconds=10&timestamps=1'), 100_000);
    expect(q).toEqual({ follow: true, timestamps: true, tailLines: 3, sinceMs: 90_000 });
  });

  it('follows appended records until the container stops', async () => {
    const p = join(dir, 'b.log');
    writeFileSync(p, '2026-01-01T00:00:01Z stdout F first\n');
    let running = true;
    setTimeout(() => appendFileSync(p, '2026-01-01T00:00:02Z stdout F second\n'), 60);
    setTimeout(() => { appendFileSync(p, '2026-01-01T00:00:03Z stdout F last\n'); running = false; }, 150);
    expect(await collect(p, { follow: true }, async () => running)).toBe('first\nsecond\nlast\n');
  });
});
