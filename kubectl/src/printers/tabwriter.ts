// Go's text/tabwriter as kubectl configures it (minwidth 6, tabwidth 4, padding 3, pad char ' '):
// tab-terminated cells are aligned per column block; the last cell of a line is not padded.

export interface TabWriterOptions { minWidth: number; padding: number }

export const kubectlTabWriterOptions: TabWriterOptions = { minWidth: 6, padding: 3 };

/** Display width of a cell: Go counts UTF-8 runes. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Formats text containing tab-separated cells. As in Go, a column block is a run of consecutive lines
 * that all have a tab-terminated cell in that column; widths are computed per block.
 */
export function formatTabs(text: string, o: TabWriterOptions = kubectlTabWriterOptions): string {
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map((cells) => new Array(Math.max(0, cells.length - 1)).fill(0));
  formatColumn(lines, widths, 0, 0, lines.length, o);
  const out = lines.map((cells, i) => {
    let s = '';
    for (let c = 0; c < cells.length; c++) {
      if (c < cells.length - 1) s += cells[c] + ' '.repeat(Math.max(0, widths[i][c] - width(cells[c])));
      else s += cells[c];
    }
    return s;
  });
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

function formatColumn(lines: string[][], widths: number[][], col: number, start: number, end: number, o: TabWriterOptions): void {
  let i = start;
  while (i < end) {
    if (lines[i].length - 1 <= col) { i++; continue; }
    // A block: consecutive lines with a terminated cell in this column.
    let j = i;
    let w = o.minWidth;
    while (j < end && lines[j].length - 1 > col) {
      const cw = width(lines[j][col]) + o.padding;
      if (cw > w) w = cw;
      j++;
    }
    for (let k = i; k < j; k++) widths[k][col] = w;
    formatColumn(lines, widths, col + 1, i, j, o);
    i = j;
  }
}
