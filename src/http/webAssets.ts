// The panel's static files: `web/` of the package (next to `dist/` and `src/`), read once and kept.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const webDirectory = fileURLToPath(new URL('../../web/', import.meta.url));

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

const cache = new Map<string, { bytes: Uint8Array; type: string } | undefined>();

/** A file of the panel by name (no folders: a name with a `/`, `\` or a leading dot is no file of it). */
export async function webAsset(name: string): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  const type = types[name.slice(name.lastIndexOf('.') + 1)];
  if (type === undefined) return undefined;
  if (!cache.has(name)) {
    try {
      cache.set(name, { bytes: await readFile(`${webDirectory}${name}`), type });
    } catch {
      cache.set(name, undefined);
    }
  }
  return cache.get(name);
}
