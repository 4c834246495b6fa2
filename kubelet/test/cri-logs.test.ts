import { describe, it, expect } from 'vitest';
import { parseCriLog, parseCriLogLine } from '../src/cri/logs.ts';

describe('CRI log format', () => {
  it('parses full records', () => {
    expect(parseCriLogLine('2026-11-23T18:00:01.123456789Z stdout F hello world')).toEqual({
      timestamp: '2026-11-23T18:00:01.123456789Z', stream: 'stdout', partial: false, content: 'hello world',
    });
    expect(parseCriLogLine('2026-11-23T18:00:01.1Z stderr F ')?.content).toBe('');
    expect(parseCriLogLine('2026-11-23T18:00:01.1Z stderr F')?.content).toBe('');
    expect(parseCriLogLine('garbage')).toBeUndefined();
    expect(parseCriLogLine('2026-11-23T18:00:01.1Z stdin F x')).toBeUndefined();
  });

  it('joins partial records per stream and keeps stream order', () => {
    const text = [
      '2026-11-23T18:00:01.000000001Z stdout P abc',
      '2026-11-23T18:00:01.000000002Z stderr F err line',
      '2026-11-23T18:00:01.000000003Z stdout P def',
      '2026-11-23T18:00:01.000000004Z stdout F ghi',
      'not a record',
      '2026-11-23T18:00:01.000000005Z stdout P tail',
      '',
    ].join('\n');
    expect(parseCriLog(text).map((l) => [l.timestamp.slice(-3, -1), l.stream, l.content, l.partial])).toEqual([
      ['02', 'stderr', 'err line', false],
      ['01', 'stdout', 'abcdefghi', false],
      ['05', 'stdout', 'tail', true],
    ]);
  });
});
