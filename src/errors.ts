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
  /** The `id@version` concerned, when known (for a schema `$ref` by URL that does not resolve, the URL). */
  ref?: string;
  /** Other places involved (the second file of a duplicate id, say). */
  related?: SourceLocation[];
}

/**
 * What kind of failure an error is. The CLI derives its exit status from the category (src/cli/exitCodes.ts), a
 * server would derive its HTTP status from it; the library itself only knows categories.
 */
export type ErrorCategory =
  /** The input has problems: a registry, plan, document or value (usually with diagnostics). */
  | 'invalid'
  /** A mistake in how the command or function was called. */
  | 'usage'
  /** The snapshot, ref, file, registry or store named does not exist. */
  | 'not-found'
  /** A change breaks its users (a diff gate, a plan upgrade). */
  | 'breaking'
  /** The store cannot be opened, read or written, or is damaged. */
  | 'store'
  /** The working registry differs from a snapshot: a finding, not a mistake. */
  | 'drift'
  /** A file or folder outside the store cannot be read or written. */
  | 'io'
  /** A remote (an OCI registry) cannot be reached, refuses a request, or sends back what it should not. */
  | 'remote'
  /** `spec run`: a step of a plan failed while it ran (the run record is written and says which and why). */
  | 'run'
  /** A change to the drafts conflicts with their state: changed since read, in use, protected, already there. */
  | 'conflict';

/** The error catalogue: every code a SpecError can carry, its category, and one line on what it means. */
export const errorCatalogue = {
  INVALID_INPUT: { category: 'invalid', description: 'the input has problems; every one is in `diagnostics`' },
  VERSION_MUTATED: {
    category: 'invalid',
    description: 'an id@version a published snapshot holds would get another digest',
  },
  PROTECTED_SPEC_REMOVED: {
    category: 'invalid',
    description: 'a build would drop a `protected: true` spec the last build had, and no `--allow-removal` names it',
  },
  OCI_URL_INVALID: {
    category: 'usage',
    description: 'a registry URL, repository name or reference that the OCI distribution spec does not admit',
  },
  IMPORT_INVALID: { category: 'invalid', description: 'an import document is not a well-formed snapshot document' },
  IMPORT_DIGEST_MISMATCH: {
    category: 'invalid',
    description: 'an object of an import document does not hash to its digest',
  },
  IMPORT_INCOMPLETE: { category: 'invalid', description: 'an import document lacks an object its snapshot references' },
  REF_INVALID: { category: 'invalid', description: 'a reference is not `name` or `name@version`' },
  REGISTRY_EXISTS: { category: 'invalid', description: '`spec init` found a registry already there' },
  NOT_JSON: { category: 'invalid', description: 'a value is not JSON (a function, a cycle, a non-finite number…)' },
  GC_PLAN_UNREADABLE: {
    category: 'invalid',
    description: 'gc cannot read a plan that might pin a snapshot, so deletes nothing',
  },
  PLAN_REWRITE_FAILED: { category: 'invalid', description: 'a plan cannot be rewritten without changing other values' },
  SCHEMA_PATTERN_UNSUPPORTED: {
    category: 'invalid',
    description: 'a schema pattern the linear-time engine cannot run',
  },
  PLUGIN_NOT_A_SPEC_PACKAGE: {
    category: 'invalid',
    description: 'a package specstore.yaml names has no `"specstore": {"registry": …}` in its package.json',
  },
  PLUGIN_MANIFEST_INVALID: {
    category: 'invalid',
    description: "a plugin's package.json cannot be read, has no version, or a `specstore` field of the wrong shape",
  },
  PLAN_UNWRITABLE: { category: 'io', description: 'a plan that must be rewritten cannot be written' },
  DIRECTORY_UNREADABLE: { category: 'io', description: 'a folder cannot be listed' },
  FORMAT_CHECK_FAILED: { category: 'invalid', description: '`spec fmt --check` found files that are not formatted' },
  FORMAT_WRITE_FAILED: { category: 'io', description: '`spec fmt --write` cannot write a file (it is left as it was)' },
  EDITOR_SETTINGS_UNMERGEABLE: {
    category: 'invalid',
    description: '`spec init --editor`: the editor settings file cannot be merged without loss (nothing written)',
  },
  SCHEMAS_WRITE_FAILED: { category: 'io', description: '`spec schemas` cannot write into its output folder' },
  FILE_UNREADABLE: { category: 'io', description: 'a file exists but cannot be read (or is a folder)' },
  OUTPUT_IS_DIRECTORY: { category: 'io', description: 'an output file is a directory' },
  OUTPUT_DENIED: {
    category: 'io',
    description: 'an output file may not be written (permissions, a read-only file system)',
  },
  OUTPUT_FULL: { category: 'io', description: 'an output file or stdout is on a full disk' },
  OUTPUT_FAILED: { category: 'io', description: 'an output file cannot be written for another reason' },
  OUTPUT_NOT_EMPTY: {
    category: 'io',
    description: 'an output folder holds files `spec docs` did not write (`--force` replaces it)',
  },
  USAGE: { category: 'usage', description: 'a mistake in the command line or in the arguments of a call' },
  TAG_INVALID: { category: 'usage', description: 'a tag name that is not allowed' },
  SNAPSHOT_AMBIGUOUS: { category: 'usage', description: 'a snapshot prefix that matches more than one snapshot' },
  SNAPSHOT_NOT_FOUND: { category: 'not-found', description: 'no snapshot has this id, prefix or tag' },
  REF_NOT_FOUND: { category: 'not-found', description: 'a reference that resolves to no spec' },
  KIND_NOT_FOUND: { category: 'not-found', description: 'a kind name that is not one of the kinds known' },
  REGISTRY_NOT_FOUND: { category: 'not-found', description: 'the registry directory does not exist' },
  STORE_NOT_FOUND: { category: 'not-found', description: 'there is no store at the directory' },
  FILE_NOT_FOUND: { category: 'not-found', description: 'a file or folder named does not exist' },
  PLUGIN_NOT_INSTALLED: { category: 'not-found', description: 'a plugin specstore.yaml names is not installed' },
  PLUGIN_FOLDER_MISSING: {
    category: 'not-found',
    description: "the folder a plugin's package.json declares for its specs does not exist",
  },
  OUTPUT_NOT_FOUND: { category: 'not-found', description: 'the folder of an output file does not exist' },
  LINT_FAILED: { category: 'invalid', description: '`spec lint` found a problem of severity error' },
  DIFF_BREAKING: { category: 'breaking', description: 'a diff has changes as severe as `--fail-on` asks to fail on' },
  PLAN_UPGRADE_BREAKING: { category: 'breaking', description: 'upgrading a plan would break it' },
  STORE_LOCKED: { category: 'store', description: 'another process holds the store' },
  STORE_CORRUPT: { category: 'store', description: 'the store is damaged' },
  STORE_IO: { category: 'store', description: "the store's files cannot be read or written" },
  STORE_READ_ONLY: { category: 'store', description: 'the store may not be written' },
  STORE_FULL: { category: 'store', description: 'the disk that holds the store is full' },
  STORE_NOT_A_DIRECTORY: { category: 'store', description: 'the store path is not a directory' },
  STORE_UNFINISHED: { category: 'store', description: 'a first build stopped before the store held anything' },
  STORE_NOT_A_STORE: { category: 'store', description: 'a non-empty directory that is not a store' },
  STORE_FORMAT: { category: 'store', description: 'the store was written by another format version' },
  STORE_CHANGED: { category: 'store', description: 'objects a build reuses were removed while it ran' },
  STAGING_FAILED: {
    category: 'io',
    description:
      "a large build's temporary file (in the system's temporary folder) could not be written or read back as written",
  },
  STORE_CLOSED: { category: 'store', description: 'a store used after `close()`' },
  DIGEST_MISMATCH: { category: 'store', description: 'an object read from the store does not hash to its digest' },
  VERIFY_FAILED: { category: 'store', description: '`spec verify` found problems in the store' },
  REGISTRY_DRIFTED: { category: 'drift', description: 'the working registry differs from the snapshot' },
  OCI_UNREACHABLE: {
    category: 'remote',
    description: 'the OCI registry cannot be reached (connection refused, DNS, TLS)',
  },
  OCI_UNAUTHORIZED: {
    category: 'remote',
    description: 'the OCI registry refuses the request without (other) credentials',
  },
  OCI_NOT_FOUND: { category: 'remote', description: 'the OCI registry has no such repository, blob or manifest' },
  OCI_REFUSED: {
    category: 'remote',
    description: 'the OCI registry refused a request or answered outside the distribution protocol',
  },
  OCI_DIGEST_MISMATCH: {
    category: 'remote',
    description: 'a blob or manifest read back from an OCI registry does not hash to its digest',
  },
  OCI_MANIFEST_INVALID: {
    category: 'remote',
    description: 'a manifest from an OCI registry is not a specstore snapshot artifact (docs/oci.md)',
  },
  OCI_PACK_INVALID: {
    category: 'remote',
    description: 'a pack from an OCI registry is not gzip of canonical JSON lines in digest order (truncated, altered)',
  },
  OCI_SNAPSHOT_MISMATCH: {
    category: 'remote',
    description: 'the manifest a registry returned for a snapshot id names another snapshot in layers[0]',
  },
  OCI_SNAPSHOT_INCOMPLETE: {
    category: 'remote',
    description: 'a pulled snapshot reaches an object that none of its packs holds',
  },
  OCI_SNAPSHOT_INVALID: {
    category: 'remote',
    description: 'a pulled snapshot root or tree node is not what the format says',
  },
  OCI_CREDENTIALS_INVALID: {
    category: 'invalid',
    description:
      'registry credentials cannot be read: a docker config that does not parse, a failing credential helper',
  },
  PLUGIN_ADAPTERS_INVALID: {
    category: 'invalid',
    description: "a plugin's adapters module cannot be loaded, exports no adapters, or names an adapter already taken",
  },
  REMOTE_NOT_FOUND: { category: 'not-found', description: 'no remote of that name is saved in the store' },
  REMOTE_EXISTS: { category: 'usage', description: '`spec remote add` of a name already saved (remove it first)' },
  ADAPTER_NOT_FOUND: { category: 'invalid', description: "a tool's `adapter` names no adapter the runner knows" },
  ENTRY_POINT_INVALID: {
    category: 'invalid',
    description: "a tool's `entry_point` cannot be run by its adapter (unbalanced quotes, a missing file, not a URL)",
  },
  ENTRY_POINT_DIGEST_MISMATCH: {
    category: 'invalid',
    description: 'the file a tool runs does not hash to the `entry_point_digest` the tool pins',
  },
  PREDICATE_NO_EVALUATOR: {
    category: 'invalid',
    description: 'a tool checks a predicate the runner has no evaluator for (never silently true)',
  },
  ADMISSION_DENIED: { category: 'invalid', description: "a step's admission predicate is false: it may not run" },
  RUN_NOT_FOUND: { category: 'not-found', description: '`spec runs show` of a run id the store has no record of' },
  RUN_FAILED: { category: 'run', description: '`spec run`: a step failed; its dependants were skipped' },
  STEP_FAILED: { category: 'run', description: 'a tool exited with a non-zero status, or could not be started' },
  STEP_TIMEOUT: { category: 'run', description: 'a tool ran longer than its `timeout_s` and was killed' },
  STEP_OUTPUT_TOO_LARGE: { category: 'run', description: 'a tool wrote more than the adapter reads; it was stopped' },
  STEP_RESULT_INVALID: {
    category: 'run',
    description: 'a tool answered with something other than one `{"outputs": {…}}` JSON object',
  },
  STEP_HTTP_STATUS: { category: 'run', description: 'an http tool answered with a status other than 2xx' },
  STEP_INPUT_INVALID: {
    category: 'run',
    description: 'a value bound from an earlier step does not fit the input it feeds',
  },
  OUTPUT_INVALID: {
    category: 'run',
    description: "a tool's output is missing, undeclared, or not of its port's type or schema",
  },
  SUCCESS_PREDICATE_FAILED: { category: 'run', description: "a step's success predicate is false after it ran" },
  STEP_WROTE_OUTSIDE_SCRATCH: {
    category: 'run',
    description: 'a tool changed files outside its scratch directory (the world mount or the run directory)',
  },
  BUDGET_EXCEEDED: { category: 'run', description: "the run spent more than its policy's `budget.max_usd_micro`" },
  DRAFT_CHANGED: {
    category: 'conflict',
    description: 'a draft changed since it was read: its digest is not the one the write was based on (If-Match)',
  },
  DRAFT_EXISTS: { category: 'conflict', description: 'a spec with that id, or a file at that path, is already there' },
  SPEC_IN_USE: { category: 'conflict', description: 'a spec cannot be deleted while other specs or plans use it' },
  SPEC_PROTECTED: { category: 'conflict', description: 'a `protected: true` spec cannot be deleted' },
  DRAFT_NOT_EDITABLE: {
    category: 'conflict',
    description: "a spec that comes from a plugin package, not from the registry's own files, cannot be edited",
  },
  DRAFT_ID_MISMATCH: { category: 'usage', description: "a spec document's id is not the one the write names" },
  DRAFT_BODY_INVALID: {
    category: 'usage',
    description: 'a request body that is not one spec document in JSON or YAML',
  },
  DRAFT_PRECONDITION_REQUIRED: {
    category: 'usage',
    description: 'an update or delete without the digest it is based on (If-Match)',
  },
  SERVE_UNAUTHORIZED: { category: 'usage', description: 'a write to `spec serve` without its token' },
  SERVE_ORIGIN_REFUSED: { category: 'usage', description: 'a write to `spec serve` from a page of another origin' },
  SERVE_READ_ONLY: { category: 'usage', description: '`spec serve --read-only` refuses every write' },
  SERVE_TOKEN_REQUIRED: {
    category: 'usage',
    description: '`spec serve` on an address other than loopback without SPEC_SERVE_TOKEN',
  },
  SERVE_BODY_TOO_LARGE: { category: 'usage', description: "a request body over the server's limit" },
  SERVE_MEDIA_TYPE: { category: 'usage', description: 'a request body in a media type the server does not read' },
  SERVE_NOT_FOUND: { category: 'not-found', description: 'a URL that names no route or no kind directory' },
  SERVE_LISTEN_FAILED: { category: 'io', description: '`spec serve` cannot listen on the address and port' },
  // `--against git:REF`: a registry read from git's objects (src/source/gitSource.ts).
  GIT_NOT_A_REPOSITORY: { category: 'not-found', description: '`--against git:REF` outside a git repository' },
  GIT_REF_NOT_FOUND: {
    category: 'not-found',
    description: 'a git ref that names no commit here (a shallow clone must fetch it first)',
  },
  GIT_FAILED: { category: 'io', description: 'git cannot be run, or fails reading a ref, tree or object' },
  GIT_OBJECT_INVALID: {
    category: 'io',
    description: 'git answered with an object or listing that fails its checks (id, type, size, hash)',
  },
} as const satisfies Record<string, { category: ErrorCategory; description: string }>;

/** A code from the error catalogue. Codes are stable; messages may change. */
export type ErrorCode = keyof typeof errorCatalogue;

/** The category of an error code (a code from outside the catalogue, as plain JavaScript might pass, is `invalid`). */
export function errorCategoryOf(code: ErrorCode): ErrorCategory {
  return Object.hasOwn(errorCatalogue, code) ? errorCatalogue[code].category : 'invalid';
}

/** What a SpecError carries besides its code and message: structured `data`, the `cause`, diagnostics. */
export interface SpecErrorOptions {
  data?: Record<string, unknown>;
  cause?: unknown;
  diagnostics?: Diagnostic[];
}

/** The one error class of the library. `code` is stable; `data` holds the structured facts (file, ref, digest…). */
export class SpecError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;
  readonly diagnostics: Diagnostic[];

  constructor(code: ErrorCode, message: string, options: SpecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpecError';
    this.code = code;
    this.data = options.data ?? {};
    this.diagnostics = options.diagnostics ?? [];
  }

  /** What kind of failure this is (the CLI's exit status and a server's HTTP status derive from it). */
  get category(): ErrorCategory {
    return errorCategoryOf(this.code);
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { code: this.code, message: this.message, ...this.data };
    if (this.diagnostics.length > 0) json['diagnostics'] = this.diagnostics;
    return json;
  }
}

/** True for a SpecError (the one error class the library throws for failures a user can cause). */
export function isSpecError(error: unknown): error is SpecError {
  return error instanceof SpecError;
}

/**
 * A validation failure: all diagnostics at once. `outcome` says what the refusal meant ("nothing was stored", "no
 * diff was made"); it ends the message and is kept as `data.outcome` for the CLI's summary line.
 */
export function invalidInput(
  diagnostics: Diagnostic[],
  outcome?: string,
  data: Record<string, unknown> = {},
): SpecError {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const found = `${errors} problem${errors === 1 ? '' : 's'} found`;
  return new SpecError('INVALID_INPUT', outcome === undefined ? found : `${found}; ${outcome}`, {
    diagnostics,
    data: outcome === undefined ? data : { ...data, outcome },
  });
}
