// `spec tag`, `tags`, `log`: names and history.
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { tagSnapshot } from '../../snapshot/publishSnapshot.js';
import { withCommon, examples, withStore } from '../commandHelpers.js';

export function registerHistoryCommands(program: Command, context: CommandContext): void {
  examples(
    withCommon(
      program
        .command('tag')
        .argument('<name>')
        .argument('<snapshot>')
        .description('name a snapshot (tags are mutable; snapshots are not)'),
    ),
    '  $ spec tag prod latest\n  $ spec tag release-7 sha256:3f1c0a9e',
  ).action(async function (this: Command, name: string, selector: string) {
    const { json } = context.common(this);
    const snapshot = await withStore(context, this, 'write', async (store) => {
      const id = await store.resolveSnapshot(selector);
      await tagSnapshot(store, name, id); // a tag publishes: the snapshot's versions become immutable
      return id;
    });
    if (json) return context.printJson({ tag: name, snapshot });
    context.print(`${name} -> ${snapshot}`);
  });

  examples(
    withCommon(program.command('tags').description('list tags and the snapshots they name')),
    '  $ spec tags --json',
  ).action(async function (this: Command) {
    const { json } = context.common(this);
    const tags = await withStore(context, this, 'read', (store) => store.listTags());
    if (json) return context.printJson(tags);
    context.print(tags.map((tag) => `${tag.name}  ${tag.snapshot}`).join('\n') || '(no tags)');
  });

  examples(
    withCommon(program.command('log').description('the build history, oldest first')),
    '  $ spec log\n  $ spec log --json',
  ).action(async function (this: Command) {
    const { json } = context.common(this);
    const entries = await withStore(context, this, 'read', (store) => store.log());
    if (json) return context.printJson(entries);
    context.print(
      entries
        .map(
          (entry) =>
            `#${entry.sequence}  ${entry.createdAt}  ${entry.snapshot}  ${entry.specs} specs, ${entry.newObjects} new objects${entry.tag ? `  tag ${entry.tag}` : ''}`,
        )
        .join('\n') || '(no builds)',
    );
  });
}
