// How a file's path is shown to users: relative to the working directory when it is below it, else absolute.
import { isAbsolute, relative } from 'node:path';

/** `absolute` relative to `cwd` when it is below it (or is it), else `absolute` as it is. */
export function shownPath(cwd: string, absolute: string): string {
  const fromCwd = relative(cwd, absolute);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? absolute : fromCwd;
}
