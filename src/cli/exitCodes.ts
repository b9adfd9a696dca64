// The CLI's exit statuses: each error category maps to one (docs/cli.md, "Exit codes"); the library knows only categories.
import { errorCategoryOf, type ErrorCategory, type ErrorCode } from '../errors.js';

/** The exit status of each error category. Input that cannot be read or written counts as invalid input (1). */
export const exitCodeOfCategory = {
  invalid: 1,
  io: 1,
  usage: 2,
  'not-found': 3,
  breaking: 4,
  store: 5,
  /** `spec status`: the working registry differs from the snapshot (a finding, not a mistake: not 1). */
  drift: 6,
  /** An OCI registry cannot be reached, refuses, or sends back bytes that fail their digest. */
  remote: 7,
  /** `spec run`: the plan was valid, but a step failed while it ran (the run record is written). */
  run: 8,
  /** A change to the registry's drafts conflicts with their state (the library's drafts API, `spec serve`). */
  conflict: 9,
} as const satisfies Record<ErrorCategory, number>;

/** Success, a usage mistake caught by commander, and a bug in specstore (not a SpecError): exit 0, 2 and 1. */
export const exitOk = 0;
export const exitUsage = exitCodeOfCategory.usage;
export const exitInternalError = 1;

/** The exit status of an error code, from its category. */
export function exitCodeOf(code: ErrorCode): number {
  return exitCodeOfCategory[errorCategoryOf(code)];
}
