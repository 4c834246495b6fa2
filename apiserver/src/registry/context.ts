// What a write request carries into the registry besides the object.
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface UserInfo { name: string; uid?: string; groups: string[] }

export interface RequestContext {
  fieldValidation: FieldValidation;
  dryRun: boolean;
  fieldManager?: string;
  /** Texts returned to the client as `Warning: 299 - "..."` headers. */
  warnings: string[];
  user?: UserInfo;
}

export function newContext(o: Partial<RequestContext> = {}): RequestContext {
  return { fieldValidation: 'Warn', dryRun: false, warnings: [], ...o };
}
