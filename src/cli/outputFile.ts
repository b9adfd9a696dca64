// Writing the CLI's output files (`export -o`, rewritten plans) and naming why a write failed, as a stable code.
import { accessSync, constants, lstatSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpecError } from '../errors.js';

/**
 * A failed write as a SpecError naming `target` (a path, or "standard output"): OUTPUT_NOT_FOUND (its folder does not
 * exist), OUTPUT_IS_DIRECTORY, OUTPUT_DENIED (permissions, a read-only file system), OUTPUT_FULL (no space or quota
 * left), else OUTPUT_FAILED.
 */
export function outputError(cause: unknown, target: string): SpecError {
  const errno = (cause as NodeJS.ErrnoException).code;
  const why = (cause as Error).message;
  const data = { file: target, ...(errno === undefined ? {} : { errno }) };
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SpecError('OUTPUT_NOT_FOUND', `cannot write ${target}: its folder does not exist (${why})`, { data, cause });
    case 'EISDIR':
      return new SpecError('OUTPUT_IS_DIRECTORY', `cannot write ${target}: it is a directory`, { data, cause });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new SpecError('OUTPUT_DENIED', `cannot write ${target}: permission denied or read-only (${why})`, { data, cause });
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new SpecError('OUTPUT_FULL', `cannot write ${target}: no space left (${why})`, { data, cause });
    default:
      return new SpecError('OUTPUT_FAILED', `cannot write ${target}: ${why}`, { data, cause });
  }
}

/**
 * Writes `bytes` to `absolute` (shown to users as `shown`) all or nothing: a regular file is written next to the target
 * and renamed over it, so a failure (a full disk) leaves the old file or none, never half a file. An existing file the
 * user may not write is refused, as a shell redirection would; a device or FIFO (`/dev/stdout`) is written directly.
 */
export function writeOutputFile(absolute: string, shown: string, bytes: string | Uint8Array): void {
  let existing;
  try {
    existing = statSync(absolute);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(cause, shown);
  }
  try {
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (existing && !existing.isFile()) return writeFileSync(absolute, bytes);
    if (existing) accessSync(absolute, constants.W_OK);
  } catch (cause) {
    throw outputError(cause, shown);
  }
  const temporary = join(dirname(absolute), `.${basename(absolute)}.${process.pid}.spec.tmp`);
  try {
    writeFileSync(temporary, bytes, { flag: 'wx', mode: existing ? existing.mode & 0o777 : 0o666 });
    renameSync(temporary, absolute);
  } catch (cause) {
    if (lstatExists(temporary)) rmSync(temporary, { force: true });
    throw outputError(cause, shown);
  }
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
