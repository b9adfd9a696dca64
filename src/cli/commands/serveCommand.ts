// `spec serve`: the HTTP API and the panel over the registry and the store, until SIGINT or SIGTERM (docs/serve.md).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { startServe } from '../../http/startServe.js';
import type { CommandContext } from '../run.js';
import { examples, withCommon } from '../commandHelpers.js';

const portOption = (value: string) => {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65_535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return port;
};

export function registerServeCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  examples(
    withCommon(
      program
        .command('serve')
        .option('--registry <dir>', 'the registry directory the API edits (the drafts)', 'registry')
        .option('--host <address>', 'the address to listen on; any but loopback needs SPEC_SERVE_TOKEN', '127.0.0.1')
        .option('--port <port>', 'the port (0: a free one, printed)', portOption, 8016)
        .option('--read-only', 'refuse every write (the API and the panel only read)')
        .option('--plans <dir...>', 'plans that count as users of specs (default: plans/ if it exists)')
        .description(
          'serve the HTTP API (/v1) and the web panel (/) over the registry and the store; prints the URL and the write token',
        ),
    ),
    '  $ spec serve                                   # http://127.0.0.1:8016/ and a token printed once\n  $ spec serve --port 0 --json                   # {"url":…,"token":…} on one line once listening\n  $ spec serve --read-only --plans plans\n  $ SPEC_SERVE_TOKEN=s3cret spec serve --host 0.0.0.0',
  ).action(async function (this: Command) {
    const options = this.opts<{ registry: string; host: string; port: number; readOnly?: boolean; plans?: string[] }>();
    const { store, json } = context.common(this);
    const plans = options.plans ?? (existsSync(resolve(io.cwd, 'plans')) ? ['plans'] : []);
    const token = io.env['SPEC_SERVE_TOKEN'];
    const server = await startServe({
      registry: options.registry,
      store,
      host: options.host,
      port: options.port,
      readOnly: options.readOnly === true,
      plans,
      cwd: io.cwd,
      onError: (error) =>
        io.stderr(`spec serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
      ...(token ? { token } : {}),
    });
    const link = `${server.url}#token=${server.token}`;
    // One line, so a script can read it as soon as the server listens.
    if (json)
      io.stdout(
        `${JSON.stringify({ url: server.url, token: server.token, registry: options.registry, store, readOnly: options.readOnly === true })}\n`,
      );
    else {
      io.stdout(`${server.url}\n`);
      io.stderr(
        options.readOnly
          ? `spec serve: ${server.url} (read-only)\n`
          : `spec serve: open ${link}\n  write token (printed once): ${server.token}${token ? ' (from SPEC_SERVE_TOKEN)' : ''}\n`,
      );
    }
    const signal = await (io.stopRequested?.() ?? new Promise<string>(() => undefined));
    io.stderr(`spec serve: ${signal}: stopping\n`);
    await server.close();
  });
}
