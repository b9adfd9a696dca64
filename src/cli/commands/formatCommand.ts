// `spec fmt`: formats spec files the one way (prints, checks with a diff, or rewrites them).
import type { Command } from 'commander';
import { unifiedDiff } from '../../core/unifiedDiff.js';
import { SpecError } from '../../errors.js';
import { formatSpecFiles } from '../../build/formatSpecFiles.js';
import type { CommandContext } from '../run.js';
import { examples, withCommon } from '../commandHelpers.js';

export function registerFormatCommand(program: Command, context: CommandContext): void {
  examples(
    withCommon(
      program
        .command('fmt')
        .argument('[paths...]', 'spec files or folders to format (default: every spec file of the registry)')
        .option('--registry <dir>', 'registry directory (its kinds give the key order)', 'registry')
        .option('--check', 'print a unified diff of what would change; exit 1 if any file is not formatted')
        .option('-w, --write', 'rewrite the files that are not formatted (atomically, keeping their mode)')
        .description('format spec files: schema key order, two-space indent, double quotes; comments and values kept'),
    ),
    '  $ spec fmt registry/tools/image.caption.yaml   # the formatted text on stdout\n  $ spec fmt --check                              # diff and exit 1 if a file is not formatted\n  $ spec fmt --write                              # rewrite them\n  $ spec fmt --check --json                       # {files, changed}',
  ).action(async function (this: Command, paths: string[]) {
    const options = this.opts<{ registry: string; check?: boolean; write?: boolean }>();
    const { json } = context.common(this);
    if (options.check && options.write) throw new SpecError('USAGE', '--check and --write do not go together');
    const result = await formatSpecFiles({
      registry: options.registry,
      paths,
      write: options.write === true,
      cwd: context.io.cwd,
    });
    const failed = options.check === true && result.changed.length > 0;
    const failure = () =>
      new SpecError('FORMAT_CHECK_FAILED', `${result.changed.length} file(s) not formatted; run spec fmt --write`, {
        data: { changed: result.changed },
      });
    if (json) {
      context.printJson({
        files: result.files.map(({ file, kind, changed, written }) => ({
          file,
          ...(kind === undefined ? {} : { kind }),
          changed,
          written,
        })),
        changed: result.changed,
      });
      if (failed) context.failAfterOutput(failure());
      return;
    }
    if (options.write) {
      for (const file of result.changed) context.print(`formatted ${file}`);
      return;
    }
    if (options.check) {
      for (const file of result.files) {
        if (file.changed)
          context.print(
            unifiedDiff(file.original, file.formatted, { from: file.file, to: file.file }).replace(/\n$/, ''),
          );
      }
      if (failed) {
        context.io.stderr(
          `${result.changed.length} of ${result.files.length} files not formatted; run spec fmt --write\n`,
        );
        context.failAfterOutput(failure());
      }
      return;
    }
    // buf format's default: the formatted text on stdout, each file under a header when there are several.
    const several = result.files.length > 1;
    for (const file of result.files) {
      if (several) context.print(`# ==> ${file.file} <==`);
      context.print(file.formatted.replace(/\n$/, ''));
    }
  });
}
