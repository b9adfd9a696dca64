// `spec init`: scaffold a registry from the bundled examples; `--editor vscode` maps the kind schemas in VS Code.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples } from '../commandHelpers.js';
import { scaffoldRegistry } from '../../maintain/scaffoldRegistry.js';
import { checkEditorSettings, editorNames, setUpEditor, type EditorName } from '../../maintain/editorSettings.js';

export function registerInitCommand(program: Command, context: CommandContext): void {
  examples(
    withCommon(
      program
        .command('init')
        .argument('[dir]', 'where to create the registry (the workspace folder, for --editor)', '.')
        .addOption(
          new Option(
            '--editor <name>',
            'also write the kind schemas and map them onto the kind folders in the editor settings; an existing registry is kept',
          ).choices(editorNames),
        )
        .option('--registry <dir>', 'with --editor: the registry folder, relative to DIR', 'registry')
        .option('--schemas <dir>', 'with --editor: where the kind schemas go, relative to DIR', '.spec/schemas')
        .description('scaffold a registry with example specs and ignore the store in .gitignore'),
    ),
    [
      '  $ spec init my-project && cd my-project && spec build',
      '  $ spec init --editor vscode          # in a project: .vscode/settings.json gets the yaml.schemas mapping',
      '  $ spec init --editor vscode --json   # {registry, files, gitignore, editor: {settings, mappings, changed}}',
    ].join('\n'),
  ).action(async function (this: Command, dir: string) {
    const options = this.opts<{ editor?: EditorName; registry: string; schemas: string }>();
    const { json } = context.common(this);
    const root = resolve(context.io.cwd, dir);
    const registryDir = resolve(root, options.registry);
    const keep = options.editor !== undefined && existsSync(registryDir);
    // The settings are checked before the registry is scaffolded: a refusal leaves the folder as it was.
    if (options.editor !== undefined)
      checkEditorSettings(options.editor, { root, registry: options.registry, cwd: context.io.cwd });
    const scaffolded = keep
      ? { registry: registryDir, files: 0, gitignore: join(root, '.gitignore') }
      : scaffoldRegistry(root);
    const editor =
      options.editor === undefined
        ? undefined
        : await setUpEditor(options.editor, {
            root,
            registry: options.registry,
            schemas: options.schemas,
            cwd: context.io.cwd,
          });
    if (json) return context.printJson({ ...scaffolded, ...(editor ? { editor } : {}) });
    const lines = keep
      ? [`kept the registry ${scaffolded.registry}`]
      : [
          `created ${scaffolded.registry} with ${scaffolded.files} example specs; .spec/ is ignored in ${scaffolded.gitignore}`,
        ];
    if (editor)
      lines.push(
        `${editor.changed ? 'mapped' : 'already mapped'} ${editor.mappings.length} kind schemas (${editor.schemas}/) in ${editor.settings}`,
        `  (yaml.schemas, for the Red Hat YAML extension; run again after changing a kind file)`,
      );
    if (!keep) lines.push(`next: spec build${dir === '.' ? '' : ` (in ${dir})`}`);
    context.print(lines.join('\n'));
  });
}
