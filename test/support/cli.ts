// Runs the built `spec` binary the way a user does, in a temporary directory.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const specBin = join(repoRoot, 'bin/spec.js');
export const bundledRegistry = join(repoRoot, 'registry');
export { sharedDir } from './sharedCorpus.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunSpecOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

export function runSpec(args: string[], options: RunSpecOptions = {}): CliResult {
  return runSpecFor(args, options, 120_000);
}

/** The bound a hostile-input case must finish within: a run still going after it is a hang, not a slow test. */
export const hangBoundMs = 10_000;

/**
 * Runs `spec` on hostile input: fails the test with "hang bound exceeded" when the process is still running after
 * `boundMs` (it is then killed). A detector of hangs, not a benchmark: the bound is generous on purpose.
 */
export function runSpecWithinBound(args: string[], options: RunSpecOptions & { boundMs?: number } = {}): CliResult {
  const bound = options.boundMs ?? hangBoundMs;
  const started = Date.now();
  const result = runSpecFor(args, options, bound);
  if (result.timedOut)
    throw new Error(
      `hang bound exceeded: spec ${args.join(' ')} still running after ${Date.now() - started} ms (bound ${bound} ms)`,
    );
  return result;
}

function runSpecFor(args: string[], options: RunSpecOptions, timeout: number): CliResult & { timedOut: boolean } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  if (!options.env || !('SPEC_STORE' in options.env)) delete env['SPEC_STORE'];
  const result = spawnSync(process.execPath, [specBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, timedOut };
}

/** Parses `--json` output, failing the test with the raw output when it is not JSON. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.status}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

export function tempDir(prefix = 'specstore-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A copy of the bundled registry in `dir/registry`. */
export function copyBundledRegistry(dir: string): string {
  const target = join(dir, 'registry');
  cpSync(bundledRegistry, target, { recursive: true });
  return target;
}

/** Every key and value of a store directory, read with LevelDB directly (the store must not be open elsewhere). */
export async function dumpStore(directory: string): Promise<[string, string][]> {
  const { Level } = await import('level');
  const db = new Level<string, string>(directory, { createIfMissing: false });
  await db.open();
  try {
    const entries: [string, string][] = [];
    for await (const entry of db.iterator()) entries.push(entry);
    return entries;
  } finally {
    await db.close();
  }
}
