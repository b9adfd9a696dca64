// The `spec` command line: commander declarations and output formatting; every command is one library call.
import { Command, CommanderError, Option } from 'commander';
import { exitCategoryOf, exitCodes, isSpecError, SpecError } from '../errors.js';
import type { CliIo } from './io.js';
import { createStyle, type Style } from './style.js';
import { formatDiagnostics, summarizeDiagnostics } from './formatDiagnostics.js';
import { registerInitCommand } from './commands/initCommand.js';
import { registerBuildCommand } from './commands/buildCommand.js';
import { registerInspectCommands } from './commands/inspectCommands.js';
import { registerHistoryCommands } from './commands/historyCommands.js';
import { registerTransferCommands } from './commands/transferCommands.js';
import { registerMaintenanceCommands } from './commands/maintenanceCommands.js';
import { registerPlanCommands } from './commands/planCommands.js';
import { registerUsageCommands } from './commands/usageCommands.js';
import { registerDiffCommand } from './commands/diffCommand.js';
import { waitOption } from './commandHelpers.js';
import { toolVersion } from '../version.js';

/** Shared by every command handler. */
export interface CommandContext {
  io: CliIo;
  style: Style;
  /** Options every command accepts, before or after its arguments. */
  common: (command: Command) => { store: string; json: boolean };
  print: (text: string) => void;
  printJson: (value: unknown) => void;
  /** Ends with this error's exit code without printing it: for output that already reports the failure (verify --json). */
  failAfterOutput: (error: SpecError) => never;
}

/** Thrown by a command that has already printed its result and only needs a failing exit code. */
class FailureAlreadyReported extends Error {
  constructor(readonly error: SpecError) {
    super(error.message);
  }
}

export const defaultStore = '.spec/store';

/** Runs the CLI with the given arguments (without `node spec`); resolves to the exit code. Never exits the process. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const style = createStyle(io.stdoutIsTty && io.env['NO_COLOR'] === undefined);
  const errorStyle = createStyle(io.stderrIsTty && io.env['NO_COLOR'] === undefined);
  const program = new Command('spec');
  let jsonRequested = argv.includes('--json');

  const context: CommandContext = {
    io,
    style,
    common: (command) => {
      const options = command.optsWithGlobals<{ store?: string; json?: boolean }>();
      jsonRequested = options.json === true;
      return { store: options.store ?? io.env['SPEC_STORE'] ?? defaultStore, json: options.json === true };
    },
    print: (text) => io.stdout(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    failAfterOutput: (error) => {
      throw new FailureAlreadyReported(error);
    },
  };

  program
    .description('Content-addressed, immutable snapshots of tool, schema, policy, predicate and prompt specs.')
    .version(toolVersion, '-V, --version')
    .addOption(new Option('--store <dir>', 'store directory (default: $SPEC_STORE or .spec/store)'))
    .option('--json', 'print the result as JSON (exactly the library object)')
    .addOption(waitOption())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(errorStyle.red(text)),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Examples:
  $ spec build                         validate registry/ and store a snapshot; prints its id
  $ spec resolve latest text.llm@1     the exact spec a ref resolves to
  $ spec ls latest --kind tool         what a snapshot holds

Exit codes: 0 ok, 1 invalid input, 2 usage, 3 not found, 4 breaking diff, 5 store error.
Docs: docs/cli.md`,
  );
  for (const register of [registerInitCommand, registerBuildCommand, registerInspectCommands, registerHistoryCommands, registerTransferCommands, registerMaintenanceCommands, registerPlanCommands, registerUsageCommands, registerDiffCommand]) {
    register(program, context);
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof FailureAlreadyReported) return exitCodes[exitCategoryOf(error.error.code)];
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    return reportError(error, io, errorStyle, jsonRequested);
  }
}

function reportError(error: unknown, io: CliIo, style: Style, json: boolean): number {
  if (!isSpecError(error)) {
    // A bug in specstore, not a user mistake: say so, with the stack, so it can be reported.
    io.stderr(`${style.red('internal error')} (please report this): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitCodes.invalid;
  }
  const exitCode = exitCodes[exitCategoryOf(error.code)];
  if (json) {
    io.stdout(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    return exitCode;
  }
  if (error.diagnostics.length > 0) {
    io.stderr(formatDiagnostics(error.diagnostics, { style, excerpts: io.stderrIsTty, cwd: io.cwd }));
    io.stderr(`${summarizeDiagnostics(error.diagnostics)}\n`);
  } else {
    io.stderr(`${style.red(error.code)} ${error.message}\n`);
  }
  return exitCode;
}

export { SpecError };
