// `spec init`: scaffold a registry from the bundled examples.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError } from '../../errors.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples } from '../commandHelpers.js';
import { outputError } from '../../plan/outputFile.js';

/** The bundled example registry, which `spec init` copies. */
const bundledRegistry = resolve(dirname(fileURLToPath(import.meta.url)), '../../../registry');

export function registerInitCommand(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('init')
        .argument('[dir]', 'where to create the registry', '.')
        .description('scaffold a registry with example specs and ignore the store in .gitignore'),
    ),
    '  $ spec init my-project && cd my-project && spec build',
  ).action(function (this: Command, dir: string) {
    const { json } = context.common(this);
    const root = resolve(io.cwd, dir);
    const registry = join(root, 'registry');
    if (existsSync(registry))
      throw new SpecError('REGISTRY_EXISTS', `${registry} already exists; init never overwrites a registry`, {
        data: { registry },
      });
    const created = writing(registry, () => copyTree(bundledRegistry, registry));
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
    const result = { registry, files: created.length, gitignore };
    if (json) context.printJson(result);
    else
      context.print(
        `created ${registry} with ${created.length} example specs; .spec/ is ignored in ${gitignore}\nnext: spec build${dir === '.' ? '' : ` (in ${dir})`}`,
      );
  });
}

/** A failed write (a file where DIR should be, no permission, a full disk) as its OUTPUT_* code, naming the path. */
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
