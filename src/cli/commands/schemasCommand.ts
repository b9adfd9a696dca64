// `spec schemas`: writes the JSON Schema of every kind, for editors (the VS Code YAML extension, say).
import type { Command } from 'commander';
import { writeKindSchemas } from '../../build/writeKindSchemas.js';
import type { CommandContext } from '../run.js';
import { examples, withCommon } from '../commandHelpers.js';

export function registerSchemasCommand(program: Command, context: CommandContext): void {
  examples(
    withCommon(
      program
        .command('schemas')
        .requiredOption('-o, --output <dir>', 'the folder to write KIND.schema.json files into (created if absent)')
        .option('--registry <dir>', 'registry directory (its kinds/*.yaml and plugins add kinds)', 'registry')
        .description("write the JSON Schema of every kind (built-in, the registry's, plugins') as files for editors"),
    ),
    '  $ spec schemas -o .spec/schemas\n  $ spec schemas -o schemas --registry ./specs --json   # {output, schemas: [{kind, directory, file}]}',
  ).action(async function (this: Command) {
    const options = this.opts<{ output: string; registry: string }>();
    const { json } = context.common(this);
    const result = await writeKindSchemas({ registry: options.registry, output: options.output, cwd: context.io.cwd });
    if (json)
      return context.printJson({
        output: result.output,
        schemas: result.schemas.map(({ kind, directory, file }) => ({ kind, directory, file })),
      });
    for (const schema of result.schemas) context.print(`${schema.file}  (${schema.kind}: ${schema.directory}/)`);
  });
}
