// Status of a plugin run, mirroring framework.Status of kube-scheduler.

export const Code = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
  Pending: 6,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const CODE_NAMES = ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Wait', 'Skip', 'Pending'];

export class Status {
  readonly code: Code;
  readonly reasons: string[];
  plugin: string;
  readonly error?: Error;

  constructor(code: Code, reasons: string[] = [], plugin = '', error?: Error) {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
    this.error = error;
  }

  static success(): Status {
    return new Status(Code.Success);
  }
  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }
  static skip(): Status {
    return new Status(Code.Skip);
  }
  static asStatus(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status(Code.Error, [e.message], '', e);
  }

  codeName(): string {
    return CODE_NAMES[this.code];
  }
  isSuccess(): boolean {
    return this.code === Code.Success;
  }
  isSkip(): boolean {
    return this.code === Code.Skip;
  }
  /** Unschedulable or UnschedulableAndUnresolvable (upstream IsRejected). */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }
  message(): string {
    return this.reasons.join(', ');
  }
  withPlugin(name: string): Status {
    this.plugin = name;
    return this;
  }
}

/** A status that may be absent: null/undefined means Success, as nil does upstream. */
export type MaybeStatus = Status | null | undefined;

export function isSuccess(s: MaybeStatus): boolean {
  return !s || s.code === Code.Success;
}
