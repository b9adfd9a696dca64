// "Which models can summarize, and how much GPU memory do they need together?": answered over any snapshot.
import type { SnapshotEntry, SnapshotView } from './snapshotView.js';

/** A model that declares the capability, with the VRAM it expects (undefined when its spec does not say). */
export interface ModelWithCapability extends SnapshotEntry {
  expectedVramMb: number | undefined;
}

export interface ModelsWithCapability {
  /** In the snapshot's order: by name, then version. */
  models: ModelWithCapability[];
  /** The sum of the models' `expected_vram_mb`; models without one add nothing (see `withoutVram`). */
  totalVramMb: number;
  /** Ids of the models that give no `expected_vram_mb`, so `totalVramMb` is a lower bound when this is not empty. */
  withoutVram: string[];
}

/**
 * The model specs of a snapshot whose `capabilities` include `capability` (case-sensitive, exact), and their total
 * expected VRAM. Every version counts; with `highestVersionOnly`, only each name's highest version that declares it.
 */
export async function modelsWithCapability(
  view: SnapshotView,
  capability: string,
  options: { highestVersionOnly?: boolean } = {},
): Promise<ModelsWithCapability> {
  if (typeof capability !== 'string' || capability === '')
    throw new TypeError('modelsWithCapability: capability must be a non-empty string');
  const entries = await view.list({ kind: 'model' });
  const documents = await view.readSpecs(entries);
  let models: ModelWithCapability[] = [];
  entries.forEach((entry, i) => {
    const spec = documents[i]!;
    const capabilities = spec['capabilities'];
    if (!Array.isArray(capabilities) || !capabilities.includes(capability)) return;
    const vram = spec['expected_vram_mb'];
    models.push({ ...entry, expectedVramMb: typeof vram === 'number' ? vram : undefined });
  });
  if (options.highestVersionOnly === true) models = models.filter((model, i) => models[i + 1]?.name !== model.name); // sorted by name, then version
  return {
    models,
    totalVramMb: models.reduce((total, model) => total + (model.expectedVramMb ?? 0), 0),
    withoutVram: models.filter((model) => model.expectedVramMb === undefined).map((model) => model.id),
  };
}
