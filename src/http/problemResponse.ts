// Errors as RFC 9457 problem details carrying the CLI's code and diagnostics; the status from the error's category.
import { errorCategoryOf, isSpecError, type Diagnostic, type ErrorCategory, type ErrorCode } from '../errors.js';

/** The HTTP status of each error category, as the CLI's exit status is (src/cli/exitCodes.ts). */
const statusOfCategory: Record<ErrorCategory, number> = {
  invalid: 422,
  usage: 400,
  'not-found': 404,
  breaking: 409,
  store: 503,
  drift: 409,
  io: 500,
  remote: 502,
  run: 500,
  conflict: 409,
};

/** Codes whose status is more precise than their category's. */
const statusOfCode: Partial<Record<ErrorCode, number>> = {
  REF_INVALID: 400,
  SERVE_UNAUTHORIZED: 401,
  SERVE_ORIGIN_REFUSED: 403,
  SERVE_READ_ONLY: 403,
  DRAFT_CHANGED: 412,
  DRAFT_PRECONDITION_REQUIRED: 428,
  SERVE_BODY_TOO_LARGE: 413,
  SERVE_MEDIA_TYPE: 415,
  STORE_CORRUPT: 500,
  DIGEST_MISMATCH: 500,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  data?: Record<string, unknown>;
  diagnostics?: Diagnostic[];
}

/** The HTTP status a SpecError's code answers with. */
export function statusOfError(code: ErrorCode): number {
  return statusOfCode[code] ?? statusOfCategory[errorCategoryOf(code)];
}

/**
 * The problem document of an error. A SpecError keeps its code, message, data and diagnostics, with file-system
 * paths outside the registry replaced (`redact`); anything else is a bug, answered `500 INTERNAL` with no detail.
 */
export function problemOf(error: unknown, redact: (text: string) => string): Problem {
  if (!isSpecError(error))
    return {
      type: 'https://specstore.dev/errors/INTERNAL',
      title: 'INTERNAL',
      status: 500,
      code: 'INTERNAL',
      detail: 'the server failed to answer this request (a bug in specstore: its log says more)',
    };
  const status = statusOfError(error.code);
  const problem: Problem = {
    type: `https://specstore.dev/errors/${error.code}`,
    title: error.code,
    status,
    code: error.code,
    detail: redact(error.message),
  };
  if (Object.keys(error.data).length > 0)
    problem.data = JSON.parse(redact(JSON.stringify(error.data))) as Record<string, unknown>;
  if (error.diagnostics.length > 0)
    problem.diagnostics = JSON.parse(redact(JSON.stringify(error.diagnostics))) as Diagnostic[];
  return problem;
}

/**
 * A function that replaces the given directories in a text by the names users know them by (`registry`, `store`, `…`
 * for the rest): an answer never tells a client where the server's files are. Longest paths first, so a registry
 * inside the working directory is named as the registry.
 */
export function pathRedactor(known: readonly { path: string; shownAs: string }[]): (text: string) => string {
  const sorted = [...known].filter((each) => each.path.length > 1).sort((a, b) => b.path.length - a.path.length);
  return (text) => {
    let result = text;
    for (const { path, shownAs } of sorted) result = result.split(path).join(shownAs);
    return result;
  };
}
