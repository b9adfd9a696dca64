// `spec init`: scaffold a registry from the bundled examples.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples } from '../commandHelpers.js';
import { scaffoldRegistry } from '../../maintain/scaffoldRegistry.js';

export function registerInitCommand(program: Command, context: CommandContext): void {
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
    const result = scaffoldRegistry(resolve(context.io.cwd, dir));
    if (json) context.printJson(result);
    else
      context.print(
        `created ${result.registry} with ${result.files} example specs; .spec/ is ignored in ${result.gitignore}\nnext: spec build${dir === '.' ? '' : ` (in ${dir})`}`,
      );
  });
}
