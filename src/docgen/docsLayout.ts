// Where `spec docs` puts each page: file names safe on any file system and in any link, the same for the same id.

/**
 * A path segment for any text: characters other than `a-z 0-9 . _ - @` are written `~xx` per UTF-8 byte (lower-case
 * hex). Names are lower case already, so only a version's capitals (`1.0.0-RC1`) are escaped: `1.0.0-RC1` and
 * `1.0.0-rc1` get different files even on a file system that ignores case. `~` never occurs in an id, so the mapping
 * is one-to-one, and every character left is safe unencoded in a URL.
 */
export function safeSegment(text: string): string {
  let segment = '';
  for (const character of text) {
    if (/^[a-z0-9._@-]$/.test(character)) segment += character;
    else for (const byte of new TextEncoder().encode(character)) segment += `~${byte.toString(16).padStart(2, '0')}`;
  }
  // A segment of dots alone would name a folder's parent; ids never are, kind folders could be.
  return /^\.*$/.test(segment) ? segment.replace(/\./g, '~2e') : segment;
}

/** The page of a spec: `<kind folder>/<name>@<version>.md`, relative to the output directory. */
export function specPagePath(kindDirectory: string, id: string): string {
  return `${safeSegment(kindDirectory)}/${safeSegment(id)}.md`;
}

export const indexPagePath = 'index.md';
export const referencesPagePath = 'references.md';
/** The file that marks a folder as written by `spec docs` (so a later run may replace it). */
export const markerFilePath = '.spec-docs.json';

/** A link from the page at `from` to the page at `to`, both relative to the output directory. */
export function relativeLink(from: string, to: string): string {
  const fromParts = from.split('/').slice(0, -1);
  const toParts = to.split('/');
  let common = 0;
  while (common < fromParts.length && common < toParts.length - 1 && fromParts[common] === toParts[common]) common++;
  return [...fromParts.slice(common).map(() => '..'), ...toParts.slice(common)].join('/');
}
