#!/usr/bin/env node
// The one exit point of the CLI: everything else returns an exit code.
import { run } from '../dist/cli/run.js';

// yaml's parser reads process.env.LOG_TOKENS for every token; the real env object costs ~0.3 µs a read, a plain
// copy ~0.05 µs (about a fifth of parsing time). spec never changes its own environment.
const env = { ...process.env };
process.env = env;

// A failed write to stdout (the reader went away, the disk is full) arrives as an 'error' event, possibly after the
// command has finished: it is kept, later writes are dropped, and run() asks for it at the end to report it.
let stdoutFailure;
process.stdout.on('error', (error) => (stdoutFailure ??= error));
process.stderr.on('error', () => {}); // a broken stderr leaves nowhere to report anything

// A long-running command (spec serve) stops on the first SIGINT or SIGTERM; a second one ends the process at once.
const stopRequested = () =>
  new Promise((resolve) => {
    const stop = (signal) => {
      process.once(signal, () => process.exit(130));
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => {
    if (stdoutFailure === undefined) process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
  env,
  cwd: process.cwd(),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  stopRequested,
  stdoutFailure: () =>
    new Promise((resolve) => {
      if (stdoutFailure !== undefined) return resolve(stdoutFailure);
      // Written in order: this callback runs once everything before it is written, or has failed.
      process.stdout.write('', (error) => setImmediate(() => resolve(stdoutFailure ?? error ?? undefined)));
    }),
});
