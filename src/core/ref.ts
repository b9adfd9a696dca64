// Spec ids and references: `name@version` (exact) or `name` (floating: the highest version).
import { maxVersionLength, parseVersion, type Version } from './version.js';

/** Lower-case alphanumeric segments joined by `.`, `-` or `_`; never empty, never `..`, never `/`, `:` or `@`. */
const namePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const maxNameLength = 128;

/** A parsed reference: a spec name and, when given, its version (`name@version`). */
export interface SpecRef {
  /** The text as written. */
  text: string;
  name: string;
  /** Absent for a floating ref. */
  version?: Version;
}

export function isValidName(name: string): boolean {
  return name.length <= maxNameLength && namePattern.test(name);
}

/** Parses `name` or `name@version`; undefined when the text is not a ref. */
export function parseRef(text: string): SpecRef | undefined {
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  if (!isValidName(name)) return undefined;
  if (at === -1) return { text, name };
  const version = parseVersion(text.slice(at + 1));
  return version ? { text, name, version } : undefined;
}

/** Parses an exact `name@version` (what a spec's `id` must be). */
export function parseSpecId(text: string): (SpecRef & { version: Version }) | undefined {
  const ref = parseRef(text);
  return ref?.version ? (ref as SpecRef & { version: Version }) : undefined;
}

export function formatSpecId(name: string, version: string): string {
  return `${name}@${version}`;
}

/** Why a text is not a ref (`ref`: name or name@version) or an id (`id`: name@version). */
export type RefProblem = 'name-too-long' | 'name-invalid' | 'version-too-long' | 'version-invalid' | 'version-missing';

/** The reason `parseRef` (or, for `id`, `parseSpecId`) refuses the text; undefined when it accepts it. */
export function refProblem(text: string, expected: 'ref' | 'id'): RefProblem | undefined {
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  if (name.length > maxNameLength) return 'name-too-long';
  if (!isValidName(name)) return 'name-invalid';
  if (at === -1) return expected === 'id' ? 'version-missing' : undefined;
  const version = text.slice(at + 1);
  if (version.length > maxVersionLength) return 'version-too-long';
  return parseVersion(version) ? undefined : 'version-invalid';
}

/** A sentence on what is wrong, for messages; quotes at most the first 60 characters of the text. */
export function describeRefProblem(text: string, problem: RefProblem): string {
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  const version = at === -1 ? '' : text.slice(at + 1);
  switch (problem) {
    case 'name-too-long':
      return `the name is ${name.length} characters long, over the limit of ${maxNameLength}`;
    case 'name-invalid':
      return `the name ${quoteStart(name)} is not lower-case letters and digits in segments joined by ".", "-" or "_"`;
    case 'version-too-long':
      return `the version is ${version.length} characters long, over the limit of ${maxVersionLength}`;
    case 'version-invalid':
      return `the version ${quoteStart(version)} is neither a positive integer nor a semver version without build metadata`;
    case 'version-missing':
      return 'it has no version: expected name@version';
  }
}

/** `"text"`, cut after 60 characters: a message never echoes a huge input whole. */
export function quoteStart(text: string): string {
  return text.length > 60 ? `"${text.slice(0, 60)}…" (${text.length} characters)` : JSON.stringify(text);
}
