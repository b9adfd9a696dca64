// How schema specs reach each other by URL: the absolute `$id` a schema answers to, and the URLs it `$ref`s outside itself.
import type { JsonValue } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { detectDraft } from './ajvInstances.js';

/** The meta-schemas ajv holds for each supported draft: a `$ref` to one of them resolves without any schema spec. */
export const metaSchemaIds =
  /^https?:\/\/json-schema\.org\/(draft-0[467]\/schema|draft\/(2019-09|2020-12)\/(schema|meta\/[a-z-]+))$/;

/** Members whose values are data, not schemas: a `$ref` or `$id` inside them means nothing. */
const dataKeywords = new Set(['enum', 'const', 'default', 'examples', 'example']);

/** Where relative references of a document without an absolute `$id` land: never a URL a schema spec declares. */
const placeholderBase = 'https://spec.invalid/self';

/**
 * `text` as an absolute URI without its fragment (`https://json.schemastore.org/foo.json`), in the URL parser's
 * normal form; undefined for a relative reference or one with a non-empty fragment (an anchor, not a document).
 */
export function absoluteSchemaUri(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.hash !== '') return undefined;
  url.hash = '';
  return url.href.replace(/#$/, '');
}

/**
 * The URL a schema answers to: its root `$id` (`id` in draft-04) when that is an absolute URI without a fragment (an
 * empty `#` is dropped). A schema spec whose schema has one can be `$ref`d by it from the other schemas of its registry.
 */
export function declaredSchemaId(schema: JsonValue | undefined): string | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const id = schema[detectDraft(schema) === 'draft-04' ? 'id' : '$id'];
  if (typeof id !== 'string') return undefined;
  const uri = absoluteSchemaUri(id.endsWith('#') ? id.slice(0, -1) : id);
  return uri === undefined || metaSchemaIds.test(uri) ? undefined : uri;
}

function resolveUri(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}

/**
 * Every `$ref` (at `pointer`, of the `$ref` member) whose target is a document outside this schema named by an
 * absolute URL: resolved against the `$id`s in scope, neither a resource the schema declares itself, nor a meta-schema,
 * nor a `name@version`. `ref` is that URL without the fragment (the part a schema spec's `$id` must equal).
 */
export function findSchemaUrlRefs(schema: JsonValue): { pointer: string; ref: string }[] {
  if (schema === null || typeof schema !== 'object') return [];
  const draft = detectDraft(schema) ?? '2020-12';
  const idKeyword = draft === 'draft-04' ? 'id' : '$id';
  // Up to draft-07 the siblings of `$ref` are ignored, `$id` too.
  const refHidesId = draft === 'draft-04' || draft === 'draft-06' || draft === 'draft-07';
  const declared = new Set<string>();
  const found: { pointer: string; ref: string }[] = [];
  const stack: { value: JsonValue; pointer: string; base: string }[] = [
    { value: schema, pointer: '', base: placeholderBase },
  ];
  while (stack.length > 0) {
    const { value, pointer, base: parentBase } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}`, base: parentBase }));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    let base = parentBase;
    const id = value[idKeyword];
    if (typeof id === 'string' && !id.startsWith('#') && !(refHidesId && typeof value['$ref'] === 'string')) {
      const resolved = resolveUri(id, parentBase);
      if (resolved !== undefined) {
        base = resolved.split('#', 1)[0]!;
        declared.add(base);
      }
    }
    for (const [member, child] of Object.entries(value)) {
      const childPointer = `${pointer}/${member.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (member === '$ref' && typeof child === 'string') {
        const target = child.split('#', 1)[0]!;
        if (target === '' || parseSpecId(target)) continue;
        const resolved = resolveUri(target, base);
        if (resolved === undefined || resolved.startsWith('https://spec.invalid/')) continue;
        const uri = absoluteSchemaUri(resolved);
        if (uri !== undefined && !metaSchemaIds.test(uri)) found.push({ pointer: childPointer, ref: uri });
      } else if (!dataKeywords.has(member)) stack.push({ value: child, pointer: childPointer, base });
    }
  }
  return found.filter((ref) => !declared.has(ref.ref));
}
