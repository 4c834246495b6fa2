// Static bearer tokens, upstream's --token-auth-file: CSV records `token,user,uid[,"group1,group2"]`.
import { readFileSync } from 'node:fs';
import { CSVParseError, parseCSV } from './csv.ts';
import type { UserInfo } from './user.ts';

export type TokenTable = Map<string, UserInfo>;

export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

export interface ParsedTokenFile {
  tokens: TokenTable;
  /** Records skipped or overridden (empty token, duplicate token), as upstream logs them. */
  warnings: string[];
}

/** Parses token file text; `source` names the file in messages. Throws TokenFileError on malformed lines. */
export function parseTokenFile(text: string, source = 'token file'): ParsedTokenFile {
  let records;
  try {
    records = parseCSV(text);
  } catch (e) {
    if (e instanceof CSVParseError) throw new TokenFileError(`token file '${source}': ${e.message}`);
    throw e;
  }
  const tokens: TokenTable = new Map();
  const warnings: string[] = [];
  for (const { line, fields } of records) {
    if (fields.length < 3) {
      throw new TokenFileError(
        `token file '${source}' line ${line}: must have at least 3 columns (token, user name, user uid), found ${fields.length}`,
      );
    }
    const [token, name, uid, groupField] = fields;
    if (token === '') {
      warnings.push(`empty token has been found in token file '${source}', line ${line}`);
      continue;
    }
    if (name === '') throw new TokenFileError(`token file '${source}' line ${line}: empty user name`);
    if (tokens.has(token)) warnings.push(`duplicate token has been found in token file '${source}', line ${line}`);
    const groups = groupField === undefined ? [] : groupField.split(',').map((g) => g.trim()).filter((g) => g !== '');
    const user: UserInfo = { name, groups };
    if (uid !== '') user.uid = uid;
    tokens.set(token, user);
  }
  return { tokens, warnings };
}

/** Reads a --token-auth-file. */
export function loadTokenFile(path: string): TokenTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(`cannot read token file '${path}': ${(e as Error).message}`);
  }
  return parseTokenFile(text, path).tokens;
}
