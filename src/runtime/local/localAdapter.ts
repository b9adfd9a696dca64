// The `local` adapter: a tool's entry_point as a subprocess in its scratch directory, JSON in on stdin, JSON out on stdout.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { isSpecError } from '../../errors.js';
import type { ResolvedSpec } from '../../snapshot/snapshotView.js';
import { failedResult, wireContext, type Adapter, type ExpandedContext, type ProcessorResult } from '../adapter.js';
import { isStepFailure, readProcessorReply } from '../processorReply.js';
import { localArgv } from './entryPoint.js';

/** The part of node:child_process's spawn the adapter uses (passed in: tests and embedders may wrap it). */
export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface LocalAdapterOptions {
  /** What `./` in an entry point is relative to: the registry root the run names. */
  workdir: string;
  /** The environment the tool's minimal environment is taken from (PATH, and the names the policy's `env` lists). */
  env?: Record<string, string | undefined>;
  spawn?: SpawnProcess;
  /** Bytes of stdout read before the tool is stopped (default 16 MiB). */
  maxStdoutBytes?: number;
  /** Bytes of stderr kept, the last ones (default 64 KiB); the failure carries the last 4 KiB of them. */
  maxStderrBytes?: number;
  /** For a tool without `timeout_s` (default 3600). */
  defaultTimeoutS?: number;
  /** The clock, for durations (default performance.now). */
  now?: () => number;
}

/** A tool that exits with 75 (EX_TEMPFAIL in sysexits.h) asks to be tried again. */
export const retryableExitStatus = 75;

const defaultPath = '/usr/local/bin:/usr/bin:/bin';
const stderrExcerptBytes = 4096;

export function createLocalAdapter(options: LocalAdapterOptions): Adapter {
  if (typeof options?.workdir !== 'string') throw new TypeError('createLocalAdapter: workdir must be a string');
  const spawn = options.spawn ?? nodeSpawn;
  const env = options.env ?? {};
  const maxStdout = options.maxStdoutBytes ?? 16 * 1024 * 1024;
  const maxStderr = options.maxStderrBytes ?? 64 * 1024;
  const now = options.now ?? (() => performance.now());
  return {
    name: 'local',
    version: '1',
    prepare(tool) {
      localArgv(tool, options.workdir, env['PATH'] ?? defaultPath);
      return Promise.resolve();
    },
    async invoke(tool: ResolvedSpec, context: ExpandedContext, signal: AbortSignal): Promise<ProcessorResult> {
      const started = now();
      const elapsed = () => Math.round(now() - started);
      let argv: string[];
      try {
        argv = localArgv(tool, options.workdir, env['PATH'] ?? defaultPath);
      } catch (error) {
        if (!isSpecError(error)) throw error;
        return failedResult({ code: error.code, message: error.message, retryable: false }, 0);
      }
      const timeoutS = typeof tool.spec['timeout_s'] === 'number' ? tool.spec['timeout_s'] : options.defaultTimeoutS;
      const outcome = await runProcess(spawn, argv, {
        cwd: context.scratch_dir,
        env: minimalEnvironment(env, context),
        stdin: JSON.stringify({ inputs: context.inputs, context: wireContext(context) }),
        timeoutMs: (timeoutS ?? 3600) * 1000,
        maxStdout,
        maxStderr,
        signal,
      });
      const stderr = outcome.stderr.subarray(Math.max(0, outcome.stderr.length - stderrExcerptBytes)).toString('utf8');
      const fail = (code: ProcessorResultCode, message: string, retryable: boolean) =>
        failedResult({ code, message, retryable }, elapsed(), stderr);
      if (outcome.spawnError)
        return fail('STEP_FAILED', `${argv[0]} could not be started: ${outcome.spawnError.message}`, false);
      if (outcome.stopped === 'timeout')
        return fail('STEP_TIMEOUT', `${tool.id} ran longer than ${timeoutS ?? 3600} s and was killed`, true);
      if (outcome.stopped === 'aborted')
        return fail('STEP_FAILED', `${tool.id} was stopped: the run was aborted`, false);
      if (outcome.stopped === 'stdout')
        return fail('STEP_OUTPUT_TOO_LARGE', `${tool.id} wrote more than ${maxStdout} bytes to stdout`, false);
      if (outcome.status !== 0) {
        const how = outcome.status === null ? `was killed by ${outcome.signal}` : `exited with ${outcome.status}`;
        return fail('STEP_FAILED', `${tool.id} ${how}`, outcome.status === retryableExitStatus);
      }
      const reply = await readProcessorReply(outcome.stdout.toString('utf8'), context.scratch_dir, elapsed());
      return isStepFailure(reply) ? failedResult(reply, elapsed(), stderr) : reply;
    },
  };
}

type ProcessorResultCode = 'STEP_FAILED' | 'STEP_TIMEOUT' | 'STEP_OUTPUT_TOO_LARGE';

/** PATH, HOME and TMPDIR (the scratch directory), a UTF-8 locale, and only the variables the policy's `env` names. */
function minimalEnvironment(env: Record<string, string | undefined>, context: ExpandedContext): Record<string, string> {
  const minimal: Record<string, string> = {
    PATH: env['PATH'] ?? defaultPath,
    HOME: context.scratch_dir,
    TMPDIR: context.scratch_dir,
    LANG: 'C.UTF-8',
  };
  const named = context.policy?.['env'];
  if (Array.isArray(named))
    for (const name of named) if (typeof name === 'string' && env[name] !== undefined) minimal[name] = env[name];
  return minimal;
}

interface ProcessOutcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  stopped?: 'timeout' | 'stdout' | 'aborted';
  spawnError?: Error;
}

/**
 * Runs argv in its own process group (detached), so that stopping it (timeout, too much output, abort) and its exit
 * both kill the whole group: a tool's children never outlive it.
 */
function runProcess(
  spawn: SpawnProcess,
  argv: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    stdin: string;
    timeoutMs: number;
    maxStdout: number;
    maxStderr: number;
    signal: AbortSignal;
  },
): Promise<ProcessOutcome> {
  return new Promise((settle) => {
    let settled = false;
    const resolveOutcome = (outcome: ProcessOutcome) => {
      if (!settled) settle(outcome);
      settled = true;
    };
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let stopped: ProcessOutcome['stopped'];
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolveOutcome({ status: null, signal: null, stdout: Buffer.alloc(0), stderr, spawnError: error as Error });
      return;
    }
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    };
    const stop = (why: NonNullable<ProcessOutcome['stopped']>) => {
      stopped ??= why;
      killGroup();
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('aborted');
    if (options.signal.aborted) onAbort();
    options.signal.addEventListener('abort', onAbort);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdout) stop('stdout');
      else stdout.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > options.maxStderr) stderr = stderr.subarray(stderr.length - options.maxStderr);
    });
    child.stdin!.on('error', () => {
      // A tool that does not read its input closes the pipe: that is its business.
    });
    child.stdin!.end(options.stdin);
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
      // Never started (ENOENT, EACCES): there will be no output to wait for.
      if (child.pid === undefined) {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolveOutcome({ status: null, signal: null, stdout: Buffer.alloc(0), stderr, spawnError: error });
      }
    });
    // The tool is done: its group goes too, so children holding stdout open cannot keep the step waiting.
    child.on('exit', killGroup);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolveOutcome({
        status,
        signal,
        stdout: Buffer.concat(stdout),
        stderr,
        ...(stopped === undefined ? {} : { stopped }),
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
  });
}
