// The public library API of specstore: everything `import … from 'specstore'` gives, and nothing else.
export { SpecError, isSpecError, exitCodes, exitCategoryOf, type Diagnostic, type SourceLocation } from './errors.js';
export { canonicalJson, canonicalBytes } from './core/canonicalJson.js';
export { digestValue, digestBytes, isDigest, type Digest, type CanonicalObject } from './core/digest.js';
export { assertJsonValue, type JsonValue, type JsonObject } from './core/json.js';
export { parseRef, parseSpecId, type SpecRef } from './core/ref.js';
export { parseVersion, compareVersions, type Version } from './core/version.js';
export { builtinKinds } from './kinds/builtinKinds.js';
export type { KindDescriptor, ReferenceField } from './kinds/kindDescriptor.js';
export { parseYamlSpec } from './source/parseYamlSpec.js';
export { validateSpecs, type ValidatedSpec, type ValidationResult } from './validate/validateSpecs.js';
export { openStore, defaultStoreDirectory, type OpenStoreOptions } from './store/openStore.js';
export { SpecStore, type BuildMetadata, type LogEntry } from './store/specStore.js';
export type { KeyValueStore, BatchOperation } from './store/keyValueStore.js';
export { MemoryStore } from './store/memoryStore.js';
export { buildManifest, snapshotFormat, type ManifestEntry, type SnapshotRoot, type TreeNode } from './snapshot/manifestTree.js';
export { buildSnapshot, compileRegistry, storeSnapshot, type BuildOptions, type BuildResult, type CompiledRegistry } from './build/buildSnapshot.js';
export { SnapshotView, type ResolvedSpec, type SnapshotEntry, type ResolveExplanation } from './snapshot/snapshotView.js';
export { exportSnapshot, formatSnapshotDocument, verifySnapshotDocument, type SnapshotDocument } from './snapshot/exportSnapshot.js';
export { importSnapshot, parseSnapshotDocument, storeImportedSnapshot, type ImportResult, type VerifiedDocument } from './snapshot/importSnapshot.js';
export { tagSnapshot, pinSnapshot } from './snapshot/publishSnapshot.js';
export { publishedSnapshots, listPublishedVersions, readPublishedVersions, type PublishedVersion, type PinRecord } from './store/publishedVersions.js';
export { findSpecReferrers, outgoingReferences, type SpecReferrer, type SpecReferrers } from './snapshot/referenceIndex.js';
export { compareRegistryWithSnapshot, type RegistryStatus, type StatusEntry } from './snapshot/registryStatus.js';
export { parsePlanFile, planReferences, type Plan, type PlanFile, type PlanStep, type PlanReference } from './plan/planFile.js';
export { checkPlan, analyzePlan, type PlanCheckResult, type PlanAnalysis } from './plan/checkPlan.js';
export { pinPlans, type PinResult, type PinnedPlan } from './plan/pinPlans.js';
export { findPlanFiles, readPlanFile, type FoundPlanFiles } from './plan/findPlanFiles.js';
export type { PlanWriter, StagedPlan } from './plan/planWriter.js';
export { lockPlans, type LockedPlan, type LockedRef } from './plan/lockPlans.js';
export { upgradePlan, type UpgradeReport, type RefUpgrade } from './plan/upgradePlan.js';
export { findPlanReferrers, type PlanReferrer } from './plan/planUsage.js';

import type { SpecStore } from './store/specStore.js';
import { SnapshotView } from './snapshot/snapshotView.js';

/** Opens a snapshot by id, unique prefix, tag or `latest`: a lazily loaded, read-only view. */
export async function openSnapshot(store: SpecStore, selector: string, options: { preload?: boolean } = {}): Promise<SnapshotView> {
  if (store === null || typeof store !== 'object' || typeof (store).resolveSnapshot !== 'function') {
    throw new TypeError('openSnapshot: store must be a SpecStore (from openStore)');
  }
  if (typeof selector !== 'string') throw new TypeError('openSnapshot: selector must be a string');
  if (options === null || typeof options !== 'object') throw new TypeError('openSnapshot: options must be an object');
  const view = await SnapshotView.open(store, await store.resolveSnapshot(selector));
  if (options.preload === true) await view.preload();
  return view;
}
export { verifyStore, verifyProblemKinds, type VerifyReport, type VerifyProblem, type VerifyProblemKind, type VerifyOptions } from './maintain/verifyStore.js';
export { collectGarbage, findPlanPins, type CollectGarbageOptions, type GarbageReport, type KeepReason, type PlanPin } from './maintain/collectGarbage.js';
