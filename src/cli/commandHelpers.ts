// Pieces every command shares: the common options, examples in --help, opening the store and a snapshot.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SnapshotView } from '../snapshot/snapshotView.js';
import { openStore } from '../store/openStore.js';
import type { SpecStore } from '../store/specStore.js';
import type { CommandContext } from './run.js';
import { builtinKinds } from '../kinds/builtinKinds.js';

export function withCommon(command: Command): Command {
  return command
    .option('--store <dir>', 'store directory (default: $SPEC_STORE or .spec/store)')
    .option('--json', 'print the result as JSON')
    .addOption(waitOption());
}

/** `--wait SECONDS`: while another process holds the store, retry until then instead of failing at once. */
export function waitOption(): Option {
  return new Option(
    '--wait <seconds>',
    'if another process holds the store, keep trying this long (default: fail at once)',
  ).argParser((value: string) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400)
      throw new InvalidArgumentError('expected a number of seconds from 0 to 86400');
    return seconds;
  });
}

/** The `--wait` option of a command (or of the program) in milliseconds, for openStore. */
export function waitMsOf(command: Command): number {
  return (command.optsWithGlobals<{ wait?: number }>().wait ?? 0) * 1000;
}

export function examples(command: Command, text: string): Command {
  return command.addHelpText('after', `\nExamples:\n${text}`);
}

/**
 * How a command uses the store: `read` never writes (a locked, read-only or full store is read from a private copy),
 * `verify` reads and also checks every block of every store file first, `write` changes it, `create` may create it.
 */
export type StoreAccess = 'read' | 'verify' | 'write' | 'create';

export async function withStore<T>(
  context: CommandContext,
  command: Command,
  access: StoreAccess,
  work: (store: SpecStore) => Promise<T>,
): Promise<T> {
  const { store: directory } = context.common(command);
  const store = await openStore({
    directory: resolve(context.io.cwd, directory),
    create: access === 'create',
    waitMs: waitMsOf(command),
    readOnly: access === 'read' || access === 'verify',
    checkFiles: access === 'verify',
  });
  try {
    printNotices(context, store);
    return await work(store);
  } finally {
    await store.close();
  }
}

/** What opening the store did that the user should know (a recovered store, a private copy), on stderr. */
export function printNotices(context: CommandContext, store: SpecStore): void {
  for (const notice of store.kv.notices ?? []) context.io.stderr(`${notice.code} ${notice.message}\n`);
}

/**
 * The built-in kinds, named in --help. A command that reads a registry takes its kinds from loadRegistryKinds (through
 * compileRegistry: the built-ins and the registry's kinds/*.yaml); one that reads a snapshot, from the snapshot.
 */
export const cliKinds = builtinKinds;

export const kindNames = cliKinds.map((kind) => kind.name);

export async function openView(store: SpecStore, selector: string): Promise<SnapshotView> {
  return SnapshotView.open(store, await store.resolveSnapshot(selector));
}
