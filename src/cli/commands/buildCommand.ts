// `spec build`: validate a registry and store its snapshot.
import { resolve } from 'node:path';
import { buildIntoStore } from '../../build/buildIntoStore.js';
import type { CompiledRegistry } from '../../build/buildSnapshot.js';
import { formatDiagnostics } from '../formatDiagnostics.js';
import { findingsOfDiagnostics, renderFindings, withErrorFormat } from '../errorFormats.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, waitMsOf } from '../commandHelpers.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { parseRef } from '../../core/ref.js';
import { SpecError } from '../../errors.js';

/** `--plans`: every plan below the directories must resolve against the new snapshot (the plan modules load only then). */
function requirePlans(io: CliIo, directories: readonly string[]): (compiled: CompiledRegistry) => Promise<void> {
  return async (compiled) => {
    const [{ readPlanDirectories }, { requirePlanReferences }] = await Promise.all([
      import('../../plan/findPlanFiles.js'),
      import('../../plan/planUsage.js'),
    ]);
    await requirePlanReferences(compiled, readPlanDirectories(directories, { cwd: io.cwd }));
  };
}

export function registerBuildCommand(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      withErrorFormat(
        program
          .command('build')
          .description('validate the registry and store it as an immutable snapshot; prints the snapshot id')
          .option('--registry <dir>', 'registry directory', 'registry')
          .option('--tag <name>', 'also tag the snapshot')
          .option('--strict', 'refuse a changed digest for any id@version already in the store, published or not')
          .option('--plans <dir...>', 'refuse to build a registry that lacks a spec these plans use')
          .option(
            '--allow-removal <name>',
            'allow this build to drop a protected spec (name, or name@version; repeatable)',
            (value: string, previous: string[] = []) => {
              if (!parseRef(value))
                throw new SpecError(
                  'USAGE',
                  `--allow-removal ${JSON.stringify(value)}: not a spec name or name@version`,
                );
              return [...previous, value];
            },
          ),
      ),
    ),
    '  $ spec build\n  $ spec build --registry ./specs --tag release-7 --store /var/lib/spec\n  $ spec build --strict --plans plans\n  $ spec build --allow-removal orchestrator   # drop a protected spec on purpose\n  $ spec build --json        # {snapshot, specs, newObjects, ...}\n  $ spec build --error-format github-actions   # problems as annotations on a pull request\n  $ spec build --error-format sarif > build.sarif',
  ).action(async function (this: Command) {
    const options = this.opts<{
      registry: string;
      tag?: string;
      strict?: boolean;
      plans?: string[];
      allowRemoval?: string[];
    }>();
    const { json, store, errorFormat } = context.common(this);
    const progress = createProgress(io);
    let result;
    try {
      result = await buildIntoStore({
        registry: resolve(io.cwd, options.registry),
        cwd: io.cwd,
        directory: resolve(io.cwd, store),
        waitMs: waitMsOf(this),
        ...(options.tag === undefined ? {} : { tag: options.tag }),
        strict: options.strict === true,
        ...storeTuningOf(io.env),
        ...(options.allowRemoval === undefined ? {} : { allowRemoval: options.allowRemoval }),
        onProgress: ({ analyzed, total }) => progress.show(`parsed and validated ${analyzed}/${total} files`),
        ...(options.plans === undefined ? {} : { check: requirePlans(io, options.plans) }),
        onNotice: (notice) => {
          progress.done();
          io.stderr(`${notice.code} ${notice.message}\n`);
        },
      });
    } finally {
      progress.done();
    }
    if (json) return context.printJson(result);
    if (errorFormat !== 'text') {
      // The warnings in the asked format; a JSON or SARIF document is all of stdout, so the id goes to stderr then.
      io.stdout(renderFindings(errorFormat, findingsOfDiagnostics(result.diagnostics), { cwd: io.cwd }));
      if (errorFormat === 'github-actions') context.print(result.snapshot);
      else io.stderr(`${result.snapshot}\n`);
      return;
    }
    if (result.diagnostics.length > 0)
      io.stderr(formatDiagnostics(result.diagnostics, { style: context.style, excerpts: io.stderrIsTty, cwd: io.cwd }));
    context.print(result.snapshot);
  });
}

/**
 * SPEC_WRITE_AHEAD_BYTES: the size of the batches a large build writes ahead of its snapshot record; and
 * SPEC_STAGE_ABOVE_BYTES: the new spec texts above which it keeps its texts in a temporary file (docs/store.md).
 * Tuning knobs, and how the kill test makes a small registry take the streaming and staging paths.
 */
function storeTuningOf(env: Record<string, string | undefined>): {
  writeAheadBytes?: number;
  stageAboveBytes?: number;
} {
  const writeAheadBytes = bytesOf(env, 'SPEC_WRITE_AHEAD_BYTES', 1);
  const stageAboveBytes = bytesOf(env, 'SPEC_STAGE_ABOVE_BYTES', 0);
  return {
    ...(writeAheadBytes === undefined ? {} : { writeAheadBytes }),
    ...(stageAboveBytes === undefined ? {} : { stageAboveBytes }),
  };
}

function bytesOf(env: Record<string, string | undefined>, name: string, least: number): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < least)
    throw new SpecError(
      'USAGE',
      `${name}=${JSON.stringify(value)}: not a ${least === 0 ? 'whole' : 'positive whole'} number of bytes`,
    );
  return bytes;
}
