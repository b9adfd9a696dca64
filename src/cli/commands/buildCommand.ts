// `spec build`: validate a registry and store its snapshot.
import { resolve } from 'node:path';
import { compileRegistry, storeSnapshot } from '../../build/buildSnapshot.js';
import { assertValidTagName } from '../../store/specStore.js';
import { formatDiagnostics } from '../formatDiagnostics.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, printNotices, waitMsOf } from '../commandHelpers.js';
import { openStore } from '../../store/openStore.js';
import { isSpecError } from '../../errors.js';
import type { CliIo } from '../io.js';

/** Progress on stderr for builds that take over a second, and only when stderr is a terminal. */
function createProgress(io: CliIo): { update: (progress: { analyzed: number; total: number }) => void; done: () => void } {
  const now = io.now ?? Date.now;
  const started = now();
  let shown = false;
  return {
    update: ({ analyzed, total }) => {
      if (!io.stderrIsTty || now() - started < 1000) return;
      shown = true;
      io.stderr(`\r\u001b[Kparsed and validated ${analyzed}/${total} files`);
    },
    done: () => {
      if (shown) io.stderr('\r\u001b[K');
      shown = false;
    },
  };
}

export function registerBuildCommand(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('build')
        .description('validate the registry and store it as an immutable snapshot; prints the snapshot id')
        .option('--registry <dir>', 'registry directory', 'registry')
        .option('--tag <name>', 'also tag the snapshot')
        .option('--strict', 'refuse a changed digest for any id@version already in the store, published or not')
        .option('--plans <dir...>', 'refuse to build a registry that lacks a spec these plans use'),
    ),
    '  $ spec build\n  $ spec build --registry ./specs --tag release-7 --store /var/lib/spec\n  $ spec build --strict --plans plans\n  $ spec build --json        # {snapshot, specs, newObjects, ...}',
  ).action(async function (this: Command) {
    const options = this.opts<{ registry: string; tag?: string; strict?: boolean; plans?: string[] }>();
    const { json } = context.common(this);
    if (options.tag !== undefined) assertValidTagName(options.tag);
    const directory = resolve(io.cwd, context.common(this).store);
    // An existing store is opened first (it holds the build cache); a new one is created only once the registry is
    // valid, so bad input never creates or changes a store.
    let store = await openStore({ directory, waitMs: waitMsOf(this) }).catch((error: unknown) => {
      // A store whose first build never finished holds nothing: it is started afresh once the registry is valid.
      if (isSpecError(error) && (error.code === 'STORE_NOT_FOUND' || error.code === 'STORE_UNFINISHED')) return undefined;
      throw error;
    });
    const progress = createProgress(io);
    let result;
    try {
      const compiled = await compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd, ...(store ? { store } : {}), onProgress: progress.update });
      progress.done();
      if (options.plans) {
        const [{ readPlanDirectories }, { requirePlanReferences }] = await Promise.all([import('./planCommands.js'), import('../../plan/planUsage.js')]);
        await requirePlanReferences(compiled, readPlanDirectories(io, options.plans));
      }
      if (!store) {
        store = await openStore({ directory, create: true, waitMs: waitMsOf(this) });
        printNotices(context, store);
      }
      result = await storeSnapshot(store, compiled, { ...(options.tag === undefined ? {} : { tag: options.tag }), strict: options.strict === true });
    } finally {
      progress.done();
      await store?.close();
    }
    if (json) return context.printJson(result);
    if (result.diagnostics.length > 0) io.stderr(formatDiagnostics(result.diagnostics, { style: context.style, excerpts: io.stderrIsTty, cwd: io.cwd }));
    context.print(result.snapshot);
  });
}
