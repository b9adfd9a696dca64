// `spec export` and `import`: self-contained snapshot documents.
import { resolve } from 'node:path';
import { exportSnapshot, formatSnapshotDocument } from '../../snapshot/exportSnapshot.js';
import { readSnapshotDocumentFile, storeImportedSnapshot } from '../../snapshot/importSnapshot.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, withStore } from '../commandHelpers.js';
import { writeOutputFile } from '../../plan/outputFile.js';

export function registerTransferCommands(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('export')
        .argument('<snapshot>')
        .option('-o, --output <file>', 'write to a file instead of stdout')
        .description('write a self-contained snapshot document (every object, verifiable)'),
    ),
    '  $ spec export latest -o snapshots/registry.snapshot.json',
  ).action(async function (this: Command, selector: string) {
    const { output } = this.opts<{ output?: string }>();
    const { json } = context.common(this);
    const document = await withStore(context, this, 'read', async (store) =>
      exportSnapshot(store, await store.resolveSnapshot(selector)),
    );
    const text = formatSnapshotDocument(document);
    if (output === undefined) return io.stdout(text);
    writeOutputFile(resolve(io.cwd, output), output, text);
    const result = { snapshot: document.snapshot, objects: Object.keys(document.objects).length, file: output };
    if (json) context.printJson(result);
    else context.print(`${document.snapshot} -> ${output} (${result.objects} objects)`);
  });

  examples(
    withCommon(
      program
        .command('import')
        .argument('<file>', 'a document written by `spec export`')
        .description('import a snapshot document; every digest is re-verified and nothing is stored if one is wrong'),
    ),
    '  $ spec import snapshots/registry.snapshot.json',
  ).action(async function (this: Command, file: string) {
    const { json } = context.common(this);
    // The document is verified before the store is opened: a bad document never creates or changes a store.
    const verified = await readSnapshotDocumentFile(resolve(io.cwd, file), file);
    const result = await withStore(context, this, 'create', (store) =>
      storeImportedSnapshot(store, verified, { source: file }),
    );
    if (json) return context.printJson(result);
    context.print(result.snapshot);
  });
}
