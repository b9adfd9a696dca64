// `spec docs`: Markdown documentation of a snapshot, written into a folder all at once.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { generateDocs } from '../../docgen/generateDocs.js';
import { writeDocs } from '../../docgen/writeDocs.js';
import type { CommandContext } from '../run.js';
import { cliKinds, examples, openView, withCommon, withStore } from '../commandHelpers.js';

export function registerDocsCommand(program: Command, context: CommandContext): void {
  examples(
    withCommon(
      program
        .command('docs')
        .argument('[snapshot]', 'snapshot id, unique prefix (8+ hex), tag or "latest"', 'latest')
        .requiredOption('-o, --output <dir>', 'the folder to write (new, empty, or written by spec docs before)')
        .option('--force', 'replace the folder even if it holds other files (they are deleted)')
        .description('write Markdown docs of a snapshot: an index, a page per spec, the reference graph'),
    ),
    '  $ spec docs -o site/specs\n  $ spec docs prod -o site/specs --json',
  ).action(async function (this: Command, selector: string) {
    const { output, force } = this.opts<{ output: string; force?: boolean }>();
    const { json } = context.common(this);
    const docs = await withStore(context, this, 'read', async (store) => {
      const view = await openView(store, selector);
      const metadata = await store.snapshotMetadata(view.id);
      return generateDocs(view, { kinds: cliKinds, ...(metadata ? { metadata } : {}) });
    });
    const result = writeDocs(docs, resolve(context.io.cwd, output), { force: force === true, shown: output });
    if (json) return context.printJson(result);
    context.print(`${result.snapshot} -> ${output} (${result.files.length} files)`);
  });
}
