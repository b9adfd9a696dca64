// `spec init`'s work as a library call: copy the bundled example registry and ignore the store in .gitignore.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../errors.js';
import { outputError } from '../plan/outputFile.js';

/** The example registry shipped with the package (`registry/`, beside `src/` and `dist/`). */
export const bundledRegistry = resolve(dirname(fileURLToPath(import.meta.url)), '../../registry');

export interface ScaffoldResult {
  registry: string;
  /** Files copied into it. */
  files: number;
  gitignore: string;
}

/**
 * Creates `<root>/registry` from the bundled examples and adds `.spec/` to `<root>/.gitignore` unless it is listed.
 * An existing registry is REGISTRY_EXISTS (never overwritten); a failed write is its OUTPUT_* code, naming the path.
 */
export function scaffoldRegistry(root: string, options: { from?: string } = {}): ScaffoldResult {
  const registry = join(root, 'registry');
  if (existsSync(registry))
    throw new SpecError('REGISTRY_EXISTS', `${registry} already exists; init never overwrites a registry`, {
      data: { registry },
    });
  const copied = writing(registry, () => copyTree(options.from ?? bundledRegistry, registry));
  const gitignore = join(root, '.gitignore');
  writing(gitignore, () => {
    const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
    const ignored = current.split(/\r?\n/).some((line) => line.trim() === '.spec/' || line.trim() === '.spec');
    if (!ignored)
      writeFileSync(
        gitignore,
        `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}# specstore's local store\n.spec/\n`,
      );
  });
  return { registry, files: copied.length, gitignore };
}

function writing<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (cause) {
    throw outputError(cause, path);
  }
}

function copyTree(from: string, to: string): string[] {
  const copied: string[] = [];
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copied.push(...copyTree(source, target));
    else if (entry.isFile()) {
      copyFileSync(source, target);
      copied.push(target);
    }
  }
  return copied;
}
