// Tools for injecting faults into a real store: spawning the CLI without blocking, forcing LevelDB to write table
// files, finding and flipping bytes, and small file systems (tmpfs) when the test runs with the privilege to mount.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Level } from 'level';
import { repoRoot, specBin, tempDir, type CliResult } from '../support/cli.js';

export interface TimedResult extends CliResult {
  signal: NodeJS.Signals | null;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Send SIGKILL after this long. */
  killAfterMs?: number;
  /** Called once the process runs, with a function that SIGKILLs it; returns a clean-up function. */
  onSpawn?: (kill: () => void) => () => void;
}

/** Runs the built CLI without blocking the event loop, so that a test can kill it or run others at the same time. */
export function runSpecAsync(args: string[], options: RunOptions = {}): Promise<TimedResult> {
  const started = performance.now();
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env['SPEC_STORE'];
  const child = spawn(process.execPath, [specBin, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer =
    options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const cleanUp = options.onSpawn?.(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      cleanUp?.();
      resolve({ status: code ?? -1, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Flushes the store's write-ahead log into uncompressed table files, so that values sit in `.ldb` files verbatim. */
export async function compactIntoTables(directory: string): Promise<void> {
  const db = new Level<string, string>(directory, { createIfMissing: false, compression: false });
  await db.open();
  await (db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange('', '\u{10FFFF}');
  await db.close();
}

/** Every occurrence of `needle` in the store's files whose names match `pattern`. */
export function findInStoreFiles(
  directory: string,
  needle: string,
  pattern: RegExp,
): { file: string; offset: number }[] {
  const found: { file: string; offset: number }[] = [];
  for (const name of readdirSync(directory).filter((name) => pattern.test(name))) {
    const bytes = readFileSync(join(directory, name));
    for (let offset = bytes.indexOf(needle); offset !== -1; offset = bytes.indexOf(needle, offset + 1))
      found.push({ file: join(directory, name), offset });
  }
  return found;
}

/** XORs one byte of a file in place. */
export function flipByte(file: string, offset: number, mask = 0x01): void {
  const bytes = readFileSync(file);
  bytes[offset]! ^= mask;
  writeFileSync(file, bytes);
}

/** Every file of a store directory with its bytes, to show that something left the store exactly as it was. */
export function storeFiles(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(directory).sort())
    if (name !== 'LOG' && name !== 'LOG.old') files[name] = readFileSync(join(directory, name)).toString('base64');
  return files;
}

/** Why tmpfs mounts cannot be used here, or undefined when they can (root with CAP_SYS_ADMIN, `mount` present). */
export function mountUnavailable(probeDirectory: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root: cannot mount a small or read-only file system';
  mkdirSync(probeDirectory, { recursive: true });
  const probe = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probeDirectory], { encoding: 'utf8' });
  if (probe.status !== 0) return `mount is not permitted here: ${(probe.stderr || probe.error?.message || '').trim()}`;
  spawnSync('umount', [probeDirectory]);
  return undefined;
}

export function mount(args: string[]): void {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount ${args.join(' ')} failed: ${result.stderr}`);
}

export function unmount(directory: string): void {
  spawnSync('umount', [directory]);
}

/** Another process that opens the store and holds it (and its lock) until released. */
export async function holdStore(directory: string): Promise<{ release: () => Promise<void> }> {
  const script = `const { openStore } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/index.js')).href)});
const store = await openStore({ directory: process.argv[1] });
process.stdout.write('held\\n');
process.stdin.once('data', async () => { await store.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, directory], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    release: async () => {
      child.stdin.write('release\n');
      await exited;
    },
  };
}

/**
 * A temporary directory with `disk/` inside it mounted as a tmpfs of `size` (e.g. "256k"): a disk that fills up.
 * Undefined (and the test skipped, saying why) where mounting is not possible; unmounted and removed after the test.
 */
export function smallDisk(
  t: { after: (fn: () => void) => void; skip: (message: string) => void },
  size: string,
): { path: string; disk: string } | undefined {
  const dir = tempDir();
  const disk = join(dir.path, 'disk');
  mkdirSync(disk);
  const why = mountUnavailable(disk);
  if (why) {
    dir.cleanup();
    t.skip(`a full disk needs a small file system of its own: ${why}`);
    return undefined;
  }
  mount(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk]);
  t.after(() => {
    unmount(disk);
    dir.cleanup();
  });
  return { path: dir.path, disk };
}
