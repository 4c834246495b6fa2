// kubectl's IOStreams: where a command writes its output and errors, and reads stdin.
import { readFileSync } from 'node:fs';

export interface IOStreams {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of stdin (for `-f -`). */
  readStdin(): string;
}

export function processStreams(): IOStreams {
  return {
    out: (t) => { process.stdout.write(t); },
    err: (t) => { process.stderr.write(t); },
    readStdin: () => readFileSync(0, 'utf8'),
  };
}

/** Streams that collect into strings (tests). */
export function bufferStreams(stdin = ''): IOStreams & { stdout: string; stderr: string } {
  const s = {
    stdout: '',
    stderr: '',
    out(t: string) { s.stdout += t; },
    err(t: string) { s.stderr += t; },
    readStdin: () => stdin,
  };
  return s;
}
