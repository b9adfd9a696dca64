// Finding and reading the diff configuration: `--config FILE`, else `specstore.diff.yaml` in the working directory.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpecError } from '../errors.js';
import { defaultDiffConfig, type DiffConfig } from '../diff/diffConfig.js';

/** The configuration file looked for in the working directory when none is named. */
export const defaultDiffConfigFile = 'specstore.diff.yaml';

/**
 * The diff configuration of `file` (relative to `cwd`), which must exist (FILE_NOT_FOUND); without `file`,
 * `specstore.diff.yaml` in `cwd` if there is one, else the defaults. A file with problems is INVALID_INPUT with all.
 */
export async function loadDiffConfig(options: { cwd: string; file?: string }): Promise<DiffConfig> {
  const file = options.file ?? defaultDiffConfigFile;
  const absolute = resolve(options.cwd, file);
  if (options.file === undefined && !existsSync(absolute)) return defaultDiffConfig;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(absolute);
  } catch (cause) {
    throw new SpecError('FILE_NOT_FOUND', `cannot read diff configuration ${file}: ${(cause as Error).message}`, {
      data: { file },
      cause,
    });
  }
  // ajv and the YAML reader load only when there is a file to read.
  const { readDiffConfig } = await import('../diff/readDiffConfig.js');
  return readDiffConfig(bytes, file);
}
