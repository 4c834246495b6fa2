// describe's PrefixWriter over a tabwriter (minwidth 0, padding 2): levels indent by two spaces.
import { formatTabs } from '../printers/tabwriter.ts';

export const LEVEL_0 = 0, LEVEL_1 = 1, LEVEL_2 = 2, LEVEL_3 = 3, LEVEL_4 = 4;

export class PrefixWriter {
  private done = '';
  private pending = '';

  write(level: number, text: string): void {
    this.pending += '  '.repeat(level) + text;
  }

  /** Writes text with no indentation (WriteLine adds the newline). */
  writeLine(text: string): void { this.pending += text + '\n'; }

  /** Ends the current alignment block (tabwriter Flush). */
  flush(): void {
    if (this.pending) this.done += formatTabs(this.pending, { minWidth: 0, padding: 2 });
    this.pending = '';
  }

  toString(): string {
    this.flush();
    return this.done;
  }
}

/** Go's time.RFC1123Z in local time: "Mon, 02 Jan 2006 15:04:05 -0700". */
export function rfc1123z(ts: string | undefined | null): string {
  const d = ts ? new Date(ts) : new Date(0);
  if (!ts) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const oh = p(Math.trunc(Math.abs(off) / 60)), om = p(Math.abs(off) % 60);
  return `${days[d.getDay()]}, ${p(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${sign}${oh}${om}`;
}
