// Versions: a positive integer or a semver 2.0 version without build metadata, with one total order.

/** A parsed version: a positive integer or semver 2.0 without build metadata. */
export interface Version {
  /** The text as written in the id. */
  text: string;
  kind: 'integer' | 'semver';
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
}

const integerVersion = /^[1-9][0-9]*$/;
const numericIdentifier = '(?:0|[1-9][0-9]*)';
const prereleaseIdentifier = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const semverVersion = new RegExp(
  `^(${numericIdentifier})\\.(${numericIdentifier})\\.(${numericIdentifier})(?:-(${prereleaseIdentifier}(?:\\.${prereleaseIdentifier})*))?$`,
);

/** Longest version text accepted; keeps keys and file names bounded. */
export const maxVersionLength = 64;

/** Parses a version, or undefined when `text` is not one. */
export function parseVersion(text: string): Version | undefined {
  if (text.length === 0 || text.length > maxVersionLength) return undefined;
  if (integerVersion.test(text)) return { text, kind: 'integer', major: text, minor: '0', patch: '0', prerelease: [] };
  const match = semverVersion.exec(text);
  if (!match) return undefined;
  return {
    text,
    kind: 'semver',
    major: match[1]!,
    minor: match[2]!,
    patch: match[3]!,
    prerelease: match[4] === undefined ? [] : match[4].split('.'),
  };
}

/** Compares digit strings without leading zeros as numbers of any size. */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^[0-9]+$/.test(a);
  const bNumeric = /^[0-9]+$/.test(b);
  if (aNumeric && bNumeric) return compareNumeric(a, b);
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The total order of versions: semver 2.0 precedence, an integer N standing for N.0.0; where precedence ties (only
 * `N` against `N.0.0`), the integer form sorts first. Returns <0, 0 or >0; 0 only for identical text.
 */
export function compareVersions(a: Version, b: Version): number {
  const byNumbers =
    compareNumeric(a.major, b.major) || compareNumeric(a.minor, b.minor) || compareNumeric(a.patch, b.patch);
  if (byNumbers !== 0) return byNumbers;
  const aPre = a.prerelease;
  const bPre = b.prerelease;
  if (aPre.length === 0 || bPre.length === 0) {
    if (aPre.length !== bPre.length) return aPre.length === 0 ? 1 : -1;
  } else {
    for (let i = 0; i < Math.min(aPre.length, bPre.length); i++) {
      const order = compareIdentifiers(aPre[i]!, bPre[i]!);
      if (order !== 0) return order;
    }
    if (aPre.length !== bPre.length) return aPre.length < bPre.length ? -1 : 1;
  }
  if (a.kind !== b.kind) return a.kind === 'integer' ? -1 : 1;
  return 0;
}

/** The major component, for "breaking change without a major bump" checks. */
export function majorOf(version: Version): string {
  return version.major;
}
