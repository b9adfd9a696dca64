// The `spec` command line: commander declarations and output formatting; every command is one library call.
import { Command, CommanderError, Option } from 'commander';
import { isSpecError, SpecError } from '../errors.js';
import { exitCodeOf, exitInternalError, exitOk, exitUsage } from './exitCodes.js';
import type { CliIo } from './io.js';
import { createStyle, type Style } from './style.js';
import { escapeControlCharacters, formatDiagnostics, summarizeDiagnostics } from './formatDiagnostics.js';
import { waitOption } from './commandHelpers.js';
import type { ErrorFormat } from './errorFormats.js';
import { outputError } from '../plan/outputFile.js';
import { toolVersion } from '../version.js';

type Registrar = (program: Command, context: CommandContext) => void;

/** Every command, by the module that declares it. A test checks this table against the commands each module registers. */
export const commandModules: { commands: string[]; load: () => Promise<Registrar> }[] = [
  { commands: ['init'], load: async () => (await import('./commands/initCommand.js')).registerInitCommand },
  { commands: ['build'], load: async () => (await import('./commands/buildCommand.js')).registerBuildCommand },
  { commands: ['lint'], load: async () => (await import('./commands/lintCommand.js')).registerLintCommand },
  {
    commands: ['ls', 'show', 'resolve'],
    load: async () => (await import('./commands/inspectCommands.js')).registerInspectCommands,
  },
  {
    commands: ['tag', 'tags', 'log'],
    load: async () => (await import('./commands/historyCommands.js')).registerHistoryCommands,
  },
  {
    commands: ['export', 'import'],
    load: async () => (await import('./commands/transferCommands.js')).registerTransferCommands,
  },
  {
    commands: ['verify', 'gc'],
    load: async () => (await import('./commands/maintenanceCommands.js')).registerMaintenanceCommands,
  },
  { commands: ['plan'], load: async () => (await import('./commands/planCommands.js')).registerPlanCommands },
  {
    commands: ['refs', 'status'],
    load: async () => (await import('./commands/usageCommands.js')).registerUsageCommands,
  },
  { commands: ['diff'], load: async () => (await import('./commands/diffCommand.js')).registerDiffCommand },
  { commands: ['fmt'], load: async () => (await import('./commands/formatCommand.js')).registerFormatCommand },
  { commands: ['schemas'], load: async () => (await import('./commands/schemasCommand.js')).registerSchemasCommand },
  { commands: ['docs'], load: async () => (await import('./commands/docsCommand.js')).registerDocsCommand },
  {
    commands: ['remote', 'push', 'pull'],
    load: async () => (await import('./commands/remoteCommands.js')).registerRemoteCommands,
  },
  { commands: ['run', 'runs'], load: async () => (await import('./commands/runCommands.js')).registerRunCommands },
  { commands: ['serve'], load: async () => (await import('./commands/serveCommand.js')).registerServeCommand },
];

/** Global options that take a value: their value is not the command name. */
const globalOptionsWithValue = new Set(['--store', '--wait']);

/** The command named on the command line (the first word that is neither an option nor a global option's value). */
export function requestedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (globalOptionsWithValue.has(word)) i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** Shared by every command handler. */
export interface CommandContext {
  io: CliIo;
  style: Style;
  /** Options every command accepts, before or after its arguments. */
  common: (command: Command) => { store: string; json: boolean; errorFormat: ErrorFormat };
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
  const exitCode = await runCommand(argv, io);
  const failure = await io.stdoutFailure?.();
  return failure === undefined ? exitCode : reportStdoutFailure(failure, io, argv.includes('--json'));
}

/** The exit status of a program killed by SIGPIPE (128 + 13), as a shell shows it for git: the reader stopped early. */
export const brokenPipeExitCode = 141;

/** stdout failed: a reader that went away ends the command quietly; anything else is reported on stderr. */
function reportStdoutFailure(failure: NodeJS.ErrnoException, io: CliIo, json: boolean): number {
  if (failure.code === 'EPIPE') return brokenPipeExitCode;
  const error = outputError(failure, 'standard output');
  io.stderr(json ? `${JSON.stringify({ error: error.toJSON() }, null, 2)}\n` : `${error.code} ${error.message}\n`);
  return exitCodeOf(error.code);
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const style = createStyle(io.stdoutIsTty && io.env['NO_COLOR'] === undefined);
  const errorStyle = createStyle(io.stderrIsTty && io.env['NO_COLOR'] === undefined);
  const program = new Command('spec');
  let jsonRequested = argv.includes('--json');
  let errorFormatRequested: ErrorFormat = 'text';

  const context: CommandContext = {
    io,
    style,
    common: (command) => {
      const options = command.optsWithGlobals<{ store?: string; json?: boolean; errorFormat?: ErrorFormat }>();
      jsonRequested = options.json === true;
      // --json prints the library's object, --error-format the findings: one or the other (docs/cli.md).
      const errorFormat = options.errorFormat ?? 'text';
      if (jsonRequested && errorFormat !== 'text')
        throw new SpecError('USAGE', `--json and --error-format ${errorFormat} are exclusive: give one of them`);
      errorFormatRequested = errorFormat;
      return {
        store: options.store ?? io.env['SPEC_STORE'] ?? defaultStore,
        json: options.json === true,
        errorFormat,
      };
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

Exit codes: 0 ok, 1 invalid input, 2 usage, 3 not found, 4 breaking diff, 5 store error, 6 registry differs (status), 7 remote, 8 a step of spec run failed.
Docs: docs/cli.md`,
  );
  // Only the module of the command being run is loaded (start-up time is part of every command's latency);
  // --help, a bare `spec` or an unknown command load them all.
  const wanted = requestedCommand(argv);
  const needed = commandModules.filter((module) => wanted !== undefined && module.commands.includes(wanted));
  const versionOnly = wanted === undefined && (argv.includes('-V') || argv.includes('--version'));
  for (const module of needed.length > 0 || versionOnly ? needed : commandModules)
    (await module.load())(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitOk;
  } catch (error) {
    if (error instanceof FailureAlreadyReported) return exitCodeOf(error.error.code);
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every other commander error is a usage mistake, already on stderr.
      if (error.exitCode === 0) return exitOk;
      if (jsonRequested) return reportError(new SpecError('USAGE', usageMessage(error)), io, errorStyle, true);
      return exitUsage;
    }
    if (errorFormatRequested !== 'text' && isSpecError(error)) {
      // The failure in the asked format on stdout (annotations, one SARIF log), its summary on stderr.
      const { findingsOfError, renderFindings } = await import('./errorFormats.js');
      io.stdout(renderFindings(errorFormatRequested, findingsOfError(error), { cwd: io.cwd }));
      io.stderr(
        error.diagnostics.length > 0
          ? `${summarizeDiagnostics(error.diagnostics, error.data['outcome'])}\n`
          : `${error.code} ${escapeControlCharacters(error.message)}\n`,
      );
      return exitCodeOf(error.code);
    }
    return reportError(error, io, errorStyle, jsonRequested);
  }
}

/** Commander's text without its `error: ` prefix; a bare `spec` or `spec plan` (help shown instead) says what is missing. */
function usageMessage(error: CommanderError): string {
  if (error.code === 'commander.help') return 'no command given (run with --help for the list of commands)';
  return error.message.replace(/^error: /, '');
}

function reportError(error: unknown, io: CliIo, style: Style, json: boolean): number {
  if (!isSpecError(error)) {
    // A bug in specstore, not a user mistake: say so, with the stack, so it can be reported.
    io.stderr(
      `${style.red('internal error')} (please report this): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitInternalError;
  }
  const exitCode = exitCodeOf(error.code);
  if (json) {
    io.stdout(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    return exitCode;
  }
  if (error.diagnostics.length > 0) {
    io.stderr(formatDiagnostics(error.diagnostics, { style, excerpts: io.stderrIsTty, cwd: io.cwd }));
    io.stderr(`${summarizeDiagnostics(error.diagnostics, error.data['outcome'])}\n`);
  } else {
    io.stderr(`${style.red(error.code)} ${escapeControlCharacters(error.message)}\n`);
  }
  return exitCode;
}

export { SpecError };
