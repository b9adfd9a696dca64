// `spec build`: validate a registry and store its snapshot.
import { resolve } from 'node:path';
import { compileRegistry, storeSnapshot } from '../../snapshot/buildSnapshot.js';
import { assertValidTagName } from '../../store/specStore.js';
import { formatDiagnostics } from '../formatDiagnostics.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, withStore } from '../commandHelpers.js';

export function registerBuildCommand(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('build')
        .description('validate the registry and store it as an immutable snapshot; prints the snapshot id')
        .option('--registry <dir>', 'registry directory', 'registry')
        .option('--tag <name>', 'also tag the snapshot'),
    ),
    '  $ spec build\n  $ spec build --registry ./specs --tag release-7 --store /var/lib/spec\n  $ spec build --json        # {snapshot, specs, newObjects, ...}',
  ).action(async function (this: Command) {
    const options = this.opts<{ registry: string; tag?: string }>();
    const { json } = context.common(this);
    // Validate before the store is opened: bad input never touches (or creates) a store.
    const compiled = compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd });
    if (options.tag !== undefined) assertValidTagName(options.tag);
    const result = await withStore(context, this, true, (store) => storeSnapshot(store, compiled, options.tag === undefined ? {} : { tag: options.tag }));
    if (json) return context.printJson(result);
    if (result.diagnostics.length > 0) io.stderr(formatDiagnostics(result.diagnostics, { style: context.style, excerpts: io.stderrIsTty, cwd: io.cwd }));
    context.print(result.snapshot);
  });
}
