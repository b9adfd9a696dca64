// The public library API of specstore: everything `import … from 'specstore'` gives, and nothing else (docs/library.md).
// Each export has a doc comment: on its declaration, or here when the declaration has none.

// Errors: one class with a stable code from one catalogue; each code has a category.
export {
  SpecError,
  isSpecError,
  errorCatalogue,
  errorCategoryOf,
  type ErrorCode,
  type ErrorCategory,
  type SpecErrorOptions,
  type Diagnostic,
  type SourceLocation,
} from './errors.js';

// Content addressing (docs/format.md): canonical JSON, digests, refs and versions.
export { canonicalJson, canonicalBytes } from './core/canonicalJson.js';
export { digestValue, digestBytes, isDigest, type Digest, type CanonicalObject } from './core/digest.js';
export type { JsonValue, JsonObject } from './core/json.js';
export { parseRef, parseSpecId, type SpecRef } from './core/ref.js';
export { parseVersion, compareVersions, type Version } from './core/version.js';

// Kinds, and reading a spec file.
export {
  /** The kinds specstore knows: tool, schema, policy, predicate, prompt, model, agent, workflow (docs/specs.md). */
  builtinKinds,
} from './kinds/builtinKinds.js';
export type {
  /** A kind as data: its name, folder, JSON Schema and reference fields. */
  KindDescriptor,
  ReferenceField,
  /** A kind's diff rules and what it compares, as data (docs/compatibility.md). */
  KindDiffRules,
  /** One comparison a kind's diff makes: a schema field, a port list, a value, a limit… */
  ContractComparison,
  /** A check across specs as data, run when references are linked (a workflow's capabilities are provided). */
  LinkedCheck,
} from './kinds/kindDescriptor.js';
export {
  /** The stored form of a kind's validation rules, recorded by every v2 snapshot (docs/format.md). */
  kindDefinitionOf,
  /** The descriptor a recorded kind definition describes (generic diff rules, no code checks). */
  descriptorFromDefinition,
  /** `specstore/kind/v1`: the format of kind definition objects. */
  kindDefinitionFormat,
  /** The JSON Schema of a kind file (`kinds/*.yaml`). */
  kindFileSchema,
  /** A kind's validation rules as stored: name, directory, schema, references, embedded schemas, capabilities, checks. */
  type KindDefinition,
} from './kinds/kindDefinition.js';
export {
  /** The kinds a registry builds with: the built-ins and its kinds/*.yaml files, each checked (diagnostics). */
  loadRegistryKinds,
  /** What loadRegistryKinds found: the kind set, the kinds from files, and their problems. */
  type RegistryKinds,
  /** A kind defined by a file, and where. */
  type RegistryKind,
  type LoadRegistryKindsOptions,
} from './build/loadRegistryKinds.js';
export type {
  /** One compatibility rule as a record: id, purpose, severity per direction. */
  CompatibilityRule,
} from './core/compatibilityRule.js';
export {
  /** Reads one spec file with the safe YAML reader (no tags, no aliases, bounded): its JSON value, or diagnostics. */
  parseYamlSpec,
  /** A spec file read by `parseYamlSpec`: its value when it has one, and every problem positioned. */
  type ParsedSpecFile,
} from './source/parseYamlSpec.js';
export {
  /** A directory on disk as a registry root. */
  fileSystemRoot,
  /** Files held in memory (path → text) as a registry root: builds and dry runs of drafts not on disk. */
  memoryRoot,
  /** A registry: one root or several; `compileRegistry({ registry, source })` reads through one. */
  type RegistrySource,
  /** One root of a registry: where it is and the file system that reads it. */
  type RegistryRoot,
  /** The npm package a root's specs come from, as recorded in snapshots (`plugins`, leaf `origins`). */
  type PluginOrigin,
  /** What a registry root must be able to do: list, stat, read. */
  type RegistryFileSystem,
} from './source/registrySource.js';
export {
  /** A registry directory with the plugin packages its specstore.yaml names, as roots (compileRegistry's default). */
  registrySourceWithPlugins,
  /** The name of the registry-wide configuration file at a registry's root: `specstore.yaml`. */
  registryConfigFile,
  /** What registrySourceWithPlugins found: the source, each plugin, the configuration. */
  type RegistryWithPlugins,
  /** A plugin package as installed: name, version, folders, and its root. */
  type ResolvedPlugin,
} from './plugins/resolvePlugins.js';
export {
  /** Reads a specstore.yaml (safe YAML, a JSON Schema; problems at file:line:col), or undefined when there is none. */
  readRegistryConfig,
  /** What specstore.yaml holds: `plugins`, and later registry-wide settings. */
  type RegistryConfig,
} from './plugins/registryConfig.js';
export {
  /** A spec's origin as the CLI shows it: `registry`, or `<package>@<version>` of a plugin. */
  originLabel,
} from './plugins/pluginOrigin.js';

// The store.
export {
  /** Opens (or with `create`, creates) the store at a directory, or `:memory:`. */
  openStore,
  /** Where the CLI keeps its store unless told otherwise: `.spec/store`. */
  defaultStoreDirectory,
  /** Where the store is and how to open it. */
  type OpenStoreOptions,
} from './store/openStore.js';
export {
  /** A store of content-addressed objects, snapshots, tags, the build log and published versions. */
  SpecStore,
  type BuildMetadata,
  /** One entry of the build log: a snapshot and how it was built. */
  type LogEntry,
} from './store/specStore.js';
export type {
  /** The key-value interface a store runs on (LevelDB or memory); both pass one conformance suite. */
  KeyValueStore,
  /** One write of an atomic batch: a put or a delete. */
  BatchOperation,
  StoreNotice,
} from './store/keyValueStore.js';
export {
  publishedSnapshots,
  listPublishedVersions,
  type PublishedVersion,
  type PinRecord,
} from './store/publishedVersions.js';

// Building a registry into a snapshot.
export { buildIntoStore, type BuildIntoStoreOptions } from './build/buildIntoStore.js';
export {
  buildSnapshot,
  compileRegistry,
  storeSnapshot,
  /** What to build and into which open store. */
  type BuildOptions,
  /** What a build stored: the snapshot id, counts, bytes written, and warnings. */
  type BuildResult,
  /** A registry validated and compiled into objects, not yet stored. */
  type CompiledRegistry,
  /** The registry to compile, and how (kinds, store for the build cache, threads, progress). */
  type CompileRegistryOptions,
} from './build/buildSnapshot.js';
export {
  compareRegistryWithSnapshot,
  /** How a working registry differs from a snapshot: added, removed and modified specs. */
  type RegistryStatus,
  /** One spec that differs between the working registry and the snapshot. */
  type StatusEntry,
} from './snapshot/registryStatus.js';

// Reading snapshots, moving them between stores, naming them.
export { openSnapshot } from './snapshot/openSnapshot.js';
export {
  /** A read-only, lazily loaded snapshot: resolve refs, list entries, find tools by capability. */
  SnapshotView,
  type ResolvedSpec,
  type SnapshotEntry,
  /** How a ref was resolved (`spec resolve --explain`): what was parsed, the candidates, the one chosen. */
  type ResolveExplanation,
} from './snapshot/snapshotView.js';
export { openCompiledRegistry } from './build/compiledRegistryView.js';
export {
  /** The registry as it was at a git ref, read from git's objects and compiled in memory (`--against git:REF`). */
  compileGitRevision,
  type CompileGitRevisionOptions,
  type CompiledGitRevision,
} from './build/compileGitRevision.js';
export {
  /** The registry directory at a git commit as a registry root: no checkout, every object checked and re-hashed. */
  gitRegistryRoot,
  /** Which commit a git ref named, and the registry's folder in it. */
  type GitRevision,
} from './source/gitSource.js';
export {
  findSpecReferrers,
  /** A spec that references the target, and where. */
  type SpecReferrer,
  /** Everything in a snapshot that references one spec. */
  type SpecReferrers,
} from './snapshot/referenceIndex.js';
export {
  /** The models of a snapshot that declare a capability, and the VRAM they expect together. */
  modelsWithCapability,
  /** A model found by modelsWithCapability, with its `expected_vram_mb`. */
  type ModelWithCapability,
  /** What modelsWithCapability answers: the models, their total VRAM, and which give none. */
  type ModelsWithCapability,
} from './snapshot/modelsWithCapability.js';
export {
  exportSnapshot,
  formatSnapshotDocument,
  verifySnapshotDocument,
  /** A snapshot as one self-contained JSON document: its id and every object it holds (docs/format.md). */
  type SnapshotDocument,
} from './snapshot/exportSnapshot.js';
export {
  importSnapshot,
  readSnapshotDocumentFile,
  /** What an import did: the snapshot id, its objects and how many were new, whether the store had it. */
  type ImportResult,
} from './snapshot/importSnapshot.js';
export { tagSnapshot, pinSnapshot } from './snapshot/publishSnapshot.js';

// Setting up a project (`spec init`).
export {
  scaffoldRegistry,
  bundledRegistry,
  /** What `scaffoldRegistry` created: the registry folder, how many files, the .gitignore it updated. */
  type ScaffoldResult,
} from './maintain/scaffoldRegistry.js';
// Editors and CI hygiene: lint, fmt, the kind schemas and the VS Code mapping (docs/lint.md, docs/cli.md).
export {
  lintRegistry,
  /** The registry to lint, its config and the store to diff against (the previous published versions). */
  type LintOptions,
  /** One finding: rule id, severity, message, file, line and column. */
  type LintFinding,
  /** Every finding of a lint run, and the counts per severity. */
  type LintReport,
} from './lint/lintRegistry.js';
export {
  /** Every lint rule, as records (docs/lint.md is generated from them). */
  lintRules,
  /** A lint rule as a record: id, purpose, default severity, check. */
  type LintRule,
  /** A rule's severity: off, warning or error. */
  type LintSeverity,
} from './lint/lintRules.js';
export {
  formatSpecFiles,
  /** The files or folders to format, the registry, and whether to write. */
  type FormatSpecFilesOptions,
  /** One file's formatted text, whether it changed and whether it was written. */
  type FormattedFile,
  /** Every file formatted, and which changed. */
  type FormatSpecFilesResult,
} from './build/formatSpecFiles.js';
export {
  writeKindSchemas,
  editorSchemaOf,
  /** The registry whose kinds to write and the output folder. */
  type WriteKindSchemasOptions,
  /** The files written, one per kind, with the kind folder each applies to. */
  type WriteKindSchemasResult,
} from './build/writeKindSchemas.js';
export {
  setUpEditor,
  checkEditorSettings,
  editorNames,
  /** An editor `setUpEditor` knows: `vscode`. */
  type EditorName,
  /** The workspace folder, the registry and where the schemas go. */
  type SetUpEditorOptions,
  /** The settings file, the mappings written and whether it changed. */
  type SetUpEditorResult,
} from './maintain/editorSettings.js';
// The registry API per kind: list, get, values, findByCapability; over a snapshot or a working directory.
export {
  openCatalog,
  SpecCatalog,
  /** The specs of one kind of a catalog: `list()`, `get(ref)`, `has(ref)`, `values()`, `findByCapability(name)`. */
  KindCatalog,
} from './catalog/specCatalog.js';
export type {
  /** What a catalog knows of a kind: name, folder, summary, capability pointer, reference fields. */
  CatalogKind,
} from './catalog/catalogKinds.js';
export {
  openRegistryCatalog,
  /** A catalog over a working registry directory: the last good build, `refresh()` and `watch()`. */
  RegistryCatalog,
  /** How to open a registry catalog: the directory (or source), kinds, and the store for its build cache. */
  type OpenRegistryCatalogOptions,
  type RefreshResult,
  /** How a catalog watches its registry: debounce, and what to call after each refresh or on failure. */
  type CatalogWatchOptions,
  type CatalogWatcher,
} from './catalog/registryCatalog.js';

// Generated documentation of a snapshot (`spec docs`, docs/cli.md#spec-docs).
export {
  generateDocs,
  /** The kinds and build metadata `generateDocs` describes a snapshot with. */
  type GenerateDocsOptions,
  /** The pages of a snapshot's docs, sorted by path. */
  type GeneratedDocs,
  type DocsFile,
} from './docgen/generateDocs.js';
export {
  writeDocs,
  /** Whether `writeDocs` may replace a folder of other files, and how messages name it. */
  type WriteDocsOptions,
  type DocsWriteResult,
} from './docgen/writeDocs.js';

// Diffing (docs/compatibility.md).
export { diffSnapshots, type DiffOptions, type DiffReport } from './review/diffSnapshots.js';
export type {
  /** One change of a kind between two snapshots: `kind.definition-changed`, `kind.added`, `kind.removed`. */
  KindDiff,
} from './diff/kindRules.js';
export { loadDiffConfig, defaultDiffConfigFile } from './review/loadDiffConfig.js';
export {
  /** Parses and validates the bytes of a diff configuration; INVALID_INPUT with every problem otherwise. */
  readDiffConfig,
} from './diff/readDiffConfig.js';
export {
  /** The configuration used without a file: backward compatibility for every kind, nothing ignored. */
  defaultDiffConfig,
  /** Compatibility settings (`specstore.diff.yaml`): a mode and ignored rules per kind, and what to fail on. */
  type DiffConfig,
  /** The compatibility settings of one kind. */
  type KindDiffConfig,
  /** Which way changes must stay compatible: `backward`, `forward` or `full`. */
  type CompatibilityMode,
  type FailOn,
} from './diff/diffConfig.js';
export {
  compareSchemas,
  /** One side of a schema comparison: the schema, and how to load the documents its `$ref`s leave to. */
  type SchemaSide,
  /** One change between two schemas: its rule, where it is, and its severity. */
  type SchemaChange,
  /** The direction to judge changes in, and the bounds of one comparison. */
  type CompareOptions,
  type Direction,
  /** How bad a change is: `breaking`, `unknown`, `warning` or `compatible`. */
  type Severity,
} from './diff/compareSchemas.js';

// Plans (docs/plans.md).
export {
  parsePlanFile,
  planReferences,
  type Plan,
  type PlanFile,
  type PlanStep,
  type PlanReference,
} from './plan/planFile.js';
export {
  findPlanFiles,
  readPlanFile,
  readPlanFiles,
  readPlanDirectories,
  type FoundPlanFiles,
} from './plan/findPlanFiles.js';
export { checkPlan, type PlanCheckResult } from './plan/checkPlan.js';
export { pinPlans, type PinResult, type PinnedPlan } from './plan/pinPlans.js';
export { lockPlans, type LockedPlan, type LockedRef } from './plan/lockPlans.js';
export {
  upgradePlan,
  /** What moving a plan between two views would change and break, nothing written (`plan upgrade --against`). */
  compareUpgrade,
  type UpgradeReport,
  type RefUpgrade,
} from './plan/upgradePlan.js';
export { findPlanReferrers, type PlanReferrer } from './plan/planUsage.js';
export { filePlanWriter, type PlanWriter, type StagedPlan } from './plan/planWriter.js';

// Remotes: snapshots through OCI registries (docs/oci.md).
export {
  DistributionClient,
  ociManifestMediaType,
  /** How to reach a registry: its base URL, fetch, credentials, chunk size, retries. */
  type DistributionClientOptions,
  /** What the client needs of `fetch`. */
  type FetchFunction,
  /** A manifest as read back: bytes, digest, media type. */
  type FetchedManifest,
} from './oci/distributionClient.js';
export {
  pushSnapshot,
  defaultRepackThresholds,
  /** Where and how to push: client, repository, tags, annotations, repack thresholds. */
  type PushOptions,
  /** What a push did: manifest digest, tags, base, packs reused and bytes uploaded. */
  type PushResult,
  /** When a push writes one fresh pack instead of a delta. */
  type RepackThresholds,
} from './oci/pushSnapshot.js';
export {
  pullSnapshot,
  pullSpec,
  pullMissingSnapshots,
  /** Where to pull from: client, repository, and a tag or snapshot id. */
  type PullOptions,
  /** What a pull did: snapshot, manifest, whether it was already there, objects and bytes. */
  type PullResult,
  /** One spec read from a remote snapshot, and the requests it took. */
  type PulledSpec,
} from './oci/pullSnapshot.js';
export {
  listRemoteSnapshots,
  /** One tag of a remote and the snapshot it names. */
  type RemoteTag,
} from './oci/listRemoteSnapshots.js';
export {
  parseRemoteUrl,
  parseRemoteReference,
  addRemote,
  removeRemote,
  listRemotes,
  findRemote,
  /** One repository of one registry, and the scheme it is reached by. */
  type RemoteLocation,
  /** A remote saved in a store under a name. */
  type SavedRemote,
  /** A remote and a tag or snapshot id (`origin:prod`, `origin@sha256:…`). */
  type RemoteReference,
} from './oci/remotes.js';
export {
  remoteClient,
  /** The environment credentials are read from, and the fetch to use. */
  type RemoteClientOptions,
} from './oci/remoteClient.js';
export {
  snapshotArtifactType,
  snapshotTag,
  parseSnapshotManifest,
  /** A snapshot manifest, parsed and checked. */
  type SnapshotManifest,
} from './oci/snapshotArtifact.js';
export { readPack } from './oci/snapshotPack.js';

// Running plans (docs/adapters.md).
export {
  /** A runner over a store: checks a pinned plan completely, then runs its steps through their adapters. */
  createRunner,
  /** What a runner is made of: the store, the registry root, adapters, predicate evaluators, the environment. */
  type RunnerOptions,
  /** A runner: `run(planFile, options)` and `dryRun(planFile)`. */
  type Runner,
  /** Jobs, memo and progress for one run. */
  type RunOptions,
  /** One step starting or ending, for progress. */
  type RunProgress,
  /** What a dry run would give each step. */
  type DryRunReport,
} from './runtime/runner.js';
export {
  /** What turns a tool spec into a run: a name, a version, and invoke. */
  type Adapter,
  /** The one structured context every processor receives. */
  type ExpandedContext,
  /** What an attempt returns: success, outputs, receipt, artifacts. */
  type ProcessorResult,
} from './runtime/adapter.js';
export {
  /** The `local` adapter: a tool's entry point as a subprocess, JSON on stdin and stdout. */
  createLocalAdapter,
} from './runtime/local/localAdapter.js';
export {
  /** The `http` adapter: a POST of inputs and context to the tool's entry point. */
  createHttpAdapter,
} from './runtime/http/httpAdapter.js';
export { loadPluginAdapters } from './runtime/pluginAdapters.js';
export {
  /** The evaluators of the bundled predicates: budget.available, artifact.exists. */
  builtinPredicateEvaluators,
  /** Decides one predicate for a step: allowed, or why not. */
  type PredicateEvaluator,
} from './runtime/predicateEvaluators.js';
export {
  readRunRecord,
  listRunRecords,
  /** A stored run: plan digest, snapshot, every step's memo key, receipt, outputs and timing. */
  type RunRecord,
  type RunSummary,
} from './runtime/runRecords.js';

// Editing a registry safely, and serving it (docs/serve.md).
export {
  /** Opens the drafts of a registry directory: list, get, create, update, remove, each change validated as a build. */
  openRegistryDrafts,
  /** The drafts: changes serialised, each based on the digest the editor read (DRAFT_CHANGED otherwise). */
  RegistryDrafts,
  /** Where the drafts are, which plans use them, and which store's published versions they must respect. */
  type OpenRegistryDraftsOptions,
  /** A spec document sent by an editor: JSON or YAML text. */
  type DraftBody,
  /** One draft as listed: id, kind, digest, file. */
  type DraftSummary,
  /** One draft with its document, text, references, referrers and versions. */
  type DraftSpec,
  /** What a change did (or, dry run, would do): the new digest and the snapshot the registry builds to. */
  type DraftWriteResult,
} from './drafts/registryDrafts.js';
export {
  /** Starts `spec serve`: the HTTP API and the panel over a registry and a store, on loopback by default. */
  startServe,
  /** Registry, store, address, token, read-only, plans. */
  type StartServeOptions,
  /** A listening server: its URL, token, hono app, and `close()`. */
  type RunningServer,
} from './http/startServe.js';
export {
  /** The hono app of `spec serve` over drafts and a served store, for embedding it in another server. */
  createServeApp,
  /** The drafts, the served store, the events, the token and read-only mode the app answers with. */
  type ServeAppOptions,
} from './http/serveApp.js';

// Maintenance (docs/store.md).
export {
  verifyStore,
  verifyProblemCodes,
  /** What `verifyStore` found: counts, and every problem. */
  type VerifyReport,
  /** One problem `verifyStore` found, with its stable code (docs/store.md). */
  type VerifyProblem,
  /** The codes of store problems. */
  type VerifyProblemCode,
  /** How many problems `verifyStore` lists at most. */
  type VerifyOptions,
} from './maintain/verifyStore.js';
export {
  collectGarbage,
  /** What gc keeps (the newest builds, plans' pins, more snapshots) and whether it only reports. */
  type CollectGarbageOptions,
  /** What gc kept and why, and what it removed (or would remove). */
  type GarbageReport,
  /** Why gc kept a snapshot: a tag, a publication, a plan's pin, or a recent build. */
  type KeepReason,
  /** A plan file's pin of a snapshot, which gc keeps. */
  type PlanPin,
} from './maintain/collectGarbage.js';
