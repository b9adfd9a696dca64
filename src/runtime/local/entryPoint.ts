// A local tool's `entry_point` as argv (split at spaces, quotes group words, no shell), and the pinned file it runs.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { digestBytes, isDigest } from '../../core/digest.js';
import { SpecError } from '../../errors.js';
import type { ResolvedSpec } from '../../snapshot/snapshotView.js';

/**
 * Splits a command line into words: spaces separate, '…' and "…" group (the quotes are dropped), nothing else is
 * special. Undefined for an unbalanced quote or no words.
 */
export function splitCommandLine(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (char === ' ' || char === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote !== undefined) return undefined;
  if (word !== undefined) words.push(word);
  return words.length > 0 ? words : undefined;
}

/** The digest a tool pins for what it runs (`entry_point_digest`), if it pins one. */
export function pinnedEntryPointDigest(tool: ResolvedSpec): unknown {
  return Object.hasOwn(tool.spec, 'entry_point_digest') ? tool.spec['entry_point_digest'] : undefined;
}

/**
 * The argv a local tool runs: a first word starting with `./` resolved against `workdir`; a bare name found on PATH
 * (only to hash it). Throws ENTRY_POINT_INVALID or ENTRY_POINT_DIGEST_MISMATCH; checked again before every attempt,
 * because the file may change between the check and the run.
 */
export function localArgv(tool: ResolvedSpec, workdir: string, path: string | undefined): string[] {
  const entryPoint = typeof tool.spec['entry_point'] === 'string' ? tool.spec['entry_point'] : '';
  const argv = splitCommandLine(entryPoint);
  const fail = (why: string) =>
    new SpecError('ENTRY_POINT_INVALID', `${tool.id}: entry_point ${JSON.stringify(entryPoint)} ${why}`, {
      data: { ref: tool.id, entryPoint },
    });
  if (!argv) throw fail('has an unbalanced quote or no words');
  const first = argv[0]!;
  if (first.startsWith('./')) argv[0] = resolve(workdir, first);
  const pinned = pinnedEntryPointDigest(tool);
  const file = argv[0]!.includes('/') ? resolve(workdir, argv[0]!) : findOnPath(argv[0]!, path);
  if (argv[0]!.includes('/') && !isFile(file)) throw fail(`names ${file}, which is not a file`);
  if (pinned === undefined) return argv;
  if (!isDigest(pinned)) throw fail(`pins ${JSON.stringify(pinned)}, which is not a sha256: digest`);
  if (file === undefined) throw fail(`runs ${first}, which is not on PATH, so its digest cannot be checked`);
  const actual = digestBytes(readFileSync(file));
  if (actual !== pinned)
    throw new SpecError(
      'ENTRY_POINT_DIGEST_MISMATCH',
      `${tool.id}: ${file} hashes to ${actual}, but the tool pins ${pinned}: the program changed since the snapshot`,
      { data: { ref: tool.id, file, expected: pinned, actual } },
    );
  return argv;
}

function isFile(path: string | undefined): path is string {
  try {
    return path !== undefined && statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const directory of (path ?? '').split(delimiter)) {
    if (directory === '' || !isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (isFile(candidate)) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
