// `spec ls`, `show`, `resolve`: reading what a snapshot holds.
import { SpecError } from '../../errors.js';
import type { Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, withStore, openView, kindNames } from '../commandHelpers.js';
import type { SnapshotEntry, SnapshotView } from '../../snapshot/snapshotView.js';

/** The origin of one version of a name, from its leaf entry (`origins` by version, in format v2). */
async function originOfVersion(view: SnapshotView, name: string, version: string): Promise<string> {
  const entry = await view.nameEntry(name);
  return view.originLabel({ origin: entry?.origins?.[version] });
}

export function registerInspectCommands(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('ls')
        .argument('[snapshot]', 'snapshot id, unique prefix (8+ hex), tag or "latest"', 'latest')
        .description('list the specs of a snapshot: id@version, kind, digest')
        .option('--kind <kind>', `only this kind (${kindNames.join(', ')}, or one the snapshot defines)`)
        .option('--capability <capability>', 'only tools that declare this capability')
        .option('--origin', 'also show where each spec came from: registry, or <package>@<version> of a plugin'),
    ),
    '  $ spec ls\n  $ spec ls prod --kind tool --json\n  $ spec ls --capability text.generate\n  $ spec ls --origin',
  ).action(async function (this: Command, selector: string) {
    const { kind, capability, origin } = this.opts<{ kind?: string; capability?: string; origin?: boolean }>();
    const { json } = context.common(this);
    const entries = await withStore(context, this, 'read', async (store): Promise<SnapshotEntry[]> => {
      const view = await openView(store, selector);
      // The kinds are the snapshot's own: the built-ins and those its registry defined in kinds/*.yaml.
      const kinds = await view.descriptors();
      if (kind !== undefined && !kinds.some((each) => each.name === kind))
        throw new SpecError(
          'USAGE',
          `unknown kind "${kind}" (snapshot ${view.id.slice(7, 19)} has ${kinds.map((each) => each.name).join(', ')})`,
        );
      const listed = async (): Promise<SnapshotEntry[]> => {
        if (capability === undefined) return view.list(kind === undefined ? {} : { kind });
        // Only kinds whose descriptor names a capabilities field (tools) declare capabilities.
        const tools = await view.findByCapability(
          capability,
          kind === undefined ? kinds : kinds.filter((each) => each.name === kind),
        );
        return tools.map(({ id, name, version, kind, digest, origin }) => ({
          id,
          name,
          version,
          kind,
          digest,
          ...(origin === undefined ? {} : { origin }),
        }));
      };
      const found = await listed();
      if (!origin) return found;
      return found.map((entry) => ({ ...entry, origin: view.originLabel(entry) }));
    });
    if (json) return context.printJson(entries);
    const width = Math.max(0, ...entries.map((entry) => entry.id.length));
    const originWidth = Math.max(0, ...entries.map((entry) => entry.origin?.length ?? 0));
    context.print(
      entries
        .map(
          (entry) =>
            `${entry.id.padEnd(width)}  ${entry.kind.padEnd(9)}  ${entry.origin === undefined ? '' : `${entry.origin.padEnd(originWidth)}  `}${entry.digest}`,
        )
        .join('\n') || '(no specs)',
    );
  });

  examples(
    withCommon(
      program
        .command('show')
        .argument('<snapshot>')
        .argument('<ref>', 'name@version, or name for the highest version')
        .description('print one spec as YAML (--json for JSON)'),
    ),
    '  $ spec show latest text.llm@1\n  $ spec show prod text.llm --json',
  ).action(async function (this: Command, selector: string, ref: string) {
    const { json } = context.common(this);
    const resolved = await withStore(context, this, 'read', async (store) =>
      (await openView(store, selector)).resolve(ref),
    );
    if (json) return context.printJson(resolved.spec);
    io.stdout(
      `# ${resolved.id} (${resolved.kind}) ${resolved.digest}\n${(await import('yaml')).default.stringify(resolved.spec, { lineWidth: 0 })}`,
    );
  });

  examples(
    withCommon(
      program
        .command('resolve')
        .argument('<snapshot>')
        .argument('<ref>', 'name@version, or name for the highest version')
        .option('--explain', 'show how: the ref as parsed, the candidates, the choice')
        .description('resolve a ref against a snapshot: {ref, kind, id, version, digest, spec}'),
    ),
    '  $ spec resolve latest text.llm@1 --json\n  $ spec resolve sha256:3f1c0a9e text.llm --explain',
  ).action(async function (this: Command, selector: string, ref: string) {
    const { explain } = this.opts<{ explain?: boolean }>();
    const { json } = context.common(this);
    await withStore(context, this, 'read', async (store) => {
      const view = await openView(store, selector);
      if (explain) {
        const explained = await view.explain(ref);
        const explanation = explained.chosen
          ? { ...explained, origin: await originOfVersion(view, explained.parsed.name, explained.chosen.version) }
          : explained;
        const notFound = new SpecError('REF_NOT_FOUND', `${ref} is not in snapshot ${view.id}`, {
          data: { ref, snapshot: view.id },
        });
        if (json) {
          // The explanation is the output either way; a ref that resolves to nothing still exits 3.
          context.printJson(explanation);
          if (!explanation.chosen) context.failAfterOutput(notFound);
          return;
        }
        const lines = [
          `ref:        ${ref} (${explanation.parsed.floating ? `floating: highest version of ${explanation.parsed.name}` : `exact: ${explanation.parsed.name} version ${explanation.parsed.version}`})`,
          `snapshot:   ${view.id}`,
          `candidates: ${explanation.candidates.map((c) => c.version).join(', ') || '(none: the snapshot has no spec of that name)'}`,
          explanation.chosen
            ? `chosen:     ${explanation.parsed.name}@${explanation.chosen.version} (${explanation.chosen.reason})\ndigest:     ${explanation.chosen.digest}`
            : 'chosen:     nothing',
          ...('origin' in explanation ? [`origin:     ${explanation.origin}`] : []),
        ];
        context.print(lines.join('\n'));
        if (!explanation.chosen) throw notFound;
        return;
      }
      const resolved = await view.resolve(ref);
      const result = {
        ref,
        kind: resolved.kind,
        id: resolved.id,
        version: resolved.version,
        digest: resolved.digest,
        spec: resolved.spec,
      };
      if (json) return context.printJson(result);
      context.print(`${resolved.id}  ${resolved.kind}  ${resolved.digest}`);
    });
  });
}
