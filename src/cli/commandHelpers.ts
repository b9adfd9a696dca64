// Pieces every command shares: the common options, examples in --help, opening the store and a snapshot.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SnapshotView } from '../snapshot/snapshotView.js';
import { openStore } from '../store/openStore.js';
import type { SpecStore } from '../store/specStore.js';
import type { CommandContext } from './run.js';

export function withCommon(command: Command): Command {
  return command.option('--store <dir>', 'store directory (default: $SPEC_STORE or .spec/store)').option('--json', 'print the result as JSON');
}

export function examples(command: Command, text: string): Command {
  return command.addHelpText('after', `\nExamples:\n${text}`);
}

export async function withStore<T>(context: CommandContext, command: Command, create: boolean, work: (store: SpecStore) => Promise<T>): Promise<T> {
  const { store: directory } = context.common(command);
  const store = await openStore({ directory: resolve(context.io.cwd, directory), create });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

import { builtinKinds } from '../kinds/builtinKinds.js';

export const kindNames = builtinKinds.map((kind) => kind.name);

export async function openView(store: SpecStore, selector: string): Promise<SnapshotView> {
  return SnapshotView.open(store, await store.resolveSnapshot(selector));
}

