// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF), reporting errors with line and column
// the way Go's encoding/csv does; blank lines are skipped.

export interface CSVRecord {
  line: number;
  fields: string[];
}

export class CSVParseError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(line: number, column: number, message: string) {
    super(`parse error on line ${line}, column ${column}: ${message}`);
    this.name = 'CSVParseError';
    this.line = line;
    this.column = column;
  }
}

export function parseCSV(text: string): CSVRecord[] {
  const records: CSVRecord[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const startLine = i + 1;
    let line = lines[i++];
    if (line === '' ) continue;
    const fields: string[] = [];
    let pos = 0;
    let lineNo = startLine;
    for (;;) {
      if (line[pos] === '"') {
        // quoted field, may span lines
        let value = '';
        pos++;
        for (;;) {
          const q = line.indexOf('"', pos);
          if (q < 0) {
            if (i >= lines.length) throw new CSVParseError(startLine, pos + 1, 'extraneous or missing " in quoted-field');
            value += line.slice(pos) + '\n';
            line = lines[i++];
            lineNo++;
            pos = 0;
            continue;
          }
          value += line.slice(pos, q);
          if (line[q + 1] === '"') {
            value += '"';
            pos = q + 2;
            continue;
          }
          pos = q + 1;
          break;
        }
        if (pos < line.length && line[pos] !== ',') {
          throw new CSVParseError(lineNo, pos + 1, 'extraneous or missing " in quoted-field');
        }
        fields.push(value);
      } else {
        const comma = line.indexOf(',', pos);
        const end = comma < 0 ? line.length : comma;
        const value = line.slice(pos, end);
        const quote = value.indexOf('"');
        if (quote >= 0) throw new CSVParseError(lineNo, pos + quote + 1, 'bare " in non-quoted-field');
        fields.push(value);
        pos = end;
      }
      if (pos >= line.length) break;
      pos++; // skip the comma
      if (pos === line.length) {
        fields.push('');
        break;
      }
    }
    records.push({ line: startLine, fields });
  }
  return records;
}
