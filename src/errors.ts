// Errors and diagnostics: every failure a user can cause carries a stable string `code`.

/** Where a problem is, in a registry file or a plan. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** One problem found while reading or validating input. Collected, never thrown one by one. */
export interface Diagnostic extends Partial<SourceLocation> {
  code: string;
  message: string;
  severity: 'error' | 'warning';
  /** JSON pointer into the document, when the problem is about a value. */
  pointer?: string;
  /** The `id@version` concerned, when known. */
  ref?: string;
  /** Other places involved (the second file of a duplicate id, say). */
  related?: SourceLocation[];
}

/** Codes and the CLI exit status each maps to. Codes are stable; messages may change. */
export const exitCodes = {
  ok: 0,
  invalid: 1,
  usage: 2,
  notFound: 3,
  breaking: 4,
  store: 5,
  /** `spec status`: the working registry differs from the snapshot (a finding, not a mistake: not 1). */
  drifted: 6,
} as const;

export type ExitCategory = keyof typeof exitCodes;

const categoryOfCode: Record<string, ExitCategory> = {
  USAGE: 'usage',
  INVALID_ARGUMENT: 'usage',
  NOT_FOUND: 'notFound',
  REF_NOT_FOUND: 'notFound',
  SNAPSHOT_NOT_FOUND: 'notFound',
  TAG_NOT_FOUND: 'notFound',
  SNAPSHOT_AMBIGUOUS: 'usage',
  TAG_INVALID: 'usage',
  FILE_NOT_FOUND: 'notFound',
  OUTPUT_NOT_FOUND: 'notFound',
  REGISTRY_NOT_FOUND: 'notFound',
  STORE_NOT_FOUND: 'notFound',
  STORE_LOCKED: 'store',
  STORE_CORRUPT: 'store',
  STORE_IO: 'store',
  STORE_NOT_A_DIRECTORY: 'store',
  STORE_READ_ONLY: 'store',
  STORE_FULL: 'store',
  STORE_UNFINISHED: 'store',
  STORE_FORMAT: 'store',
  STORE_NOT_A_STORE: 'store',
  STORE_CLOSED: 'store',
  DIGEST_MISMATCH: 'store',
  STORE_CHANGED: 'store',
  VERIFY_FAILED: 'store',
  DIFF_BREAKING: 'breaking',
  PLAN_UPGRADE_BREAKING: 'breaking',
  REGISTRY_DRIFTED: 'drifted',
};

/** The exit category of an error code; anything not listed is invalid input (exit 1). */
export function exitCategoryOf(code: string): ExitCategory {
  return categoryOfCode[code] ?? 'invalid';
}

export interface SpecErrorOptions {
  data?: Record<string, unknown>;
  cause?: unknown;
  diagnostics?: Diagnostic[];
}

/** The one error class of the library. `code` is stable; `data` holds the structured facts (file, ref, digest…). */
export class SpecError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  readonly diagnostics: Diagnostic[];

  constructor(code: string, message: string, options: SpecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpecError';
    this.code = code;
    this.data = options.data ?? {};
    this.diagnostics = options.diagnostics ?? [];
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { code: this.code, message: this.message, ...this.data };
    if (this.diagnostics.length > 0) json['diagnostics'] = this.diagnostics;
    return json;
  }
}

export function isSpecError(error: unknown): error is SpecError {
  return error instanceof SpecError;
}

/**
 * A validation failure: all diagnostics at once. `outcome` says what the refusal meant ("nothing was stored", "no
 * diff was made"); it ends the message and is kept as `data.outcome` for the CLI's summary line.
 */
export function invalidInput(diagnostics: Diagnostic[], outcome?: string, data: Record<string, unknown> = {}): SpecError {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const found = `${errors} problem${errors === 1 ? '' : 's'} found`;
  return new SpecError('INVALID_INPUT', outcome === undefined ? found : `${found}; ${outcome}`, { diagnostics, data: outcome === undefined ? data : { ...data, outcome } });
}
