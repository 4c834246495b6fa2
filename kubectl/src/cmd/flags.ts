// Flag helpers shared by the command registrations.
import type { Command } from 'commander';
import type { Factory } from '../factory.ts';

export type FactoryFor = (cmd: Command) => Factory;

/** A repeatable flag whose values may also be comma separated ("-L a,b -L c"). */
export const collect = (v: string, prev: string[] = []) => [...prev, ...v.replace(/^=/, '').split(',')];

/** A repeatable -f flag. */
export const collectFiles = (v: string, prev: string[] = []) => [...prev, v.replace(/^=/, '')];

/** Go durations as kubectl flags take them ("30s", "1m", "1h30m"; a bare number is seconds). */
export function parseDuration(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) total += Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]];
  return total;
}
