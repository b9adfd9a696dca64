// Spec ids and references: `name@version` (exact) or `name` (floating: the highest version).
import { parseVersion, type Version } from './version.js';

/** Lower-case alphanumeric segments joined by `.`, `-` or `_`; never empty, never `..`, never `/`, `:` or `@`. */
const namePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const maxNameLength = 128;

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
