// Resolves every `$ref` of a schema without compiling it: local pointers, anchors, `$id`s and other schema specs.
import { getAtPointer, type JsonValue } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import type { Draft } from './ajvInstances.js';
import { compileLinearRegExp, PatternUnsupportedError } from './linearRegExp.js';
import type { SchemaLookup, SchemaProblem } from './schemaCompiler.js';
import { absoluteSchemaUri, metaSchemaIds } from './schemaUrlRefs.js';

/** Members whose values are data, not schemas: a `$ref` inside them is not a reference. */
const dataKeywords = new Set(['enum', 'const', 'default', 'examples', 'example']);

interface SchemaIndex {
  /** `$id`s (without fragment) declared inside the document, with the subschema each names. */
  ids: Map<string, JsonValue>;
  /** Anchor names (`$anchor`, `$dynamicAnchor`, or a `#name` id in older drafts). */
  anchors: Set<string>;
  refs: { pointer: string; ref: string }[];
}

function indexSchema(schema: JsonValue, draft: Draft): SchemaIndex {
  const idKeyword = draft === 'draft-04' ? 'id' : '$id';
  const index: SchemaIndex = { ids: new Map(), anchors: new Set(), refs: [] };
  const stack: { value: JsonValue; pointer: string }[] = [{ value: schema, pointer: '' }];
  while (stack.length > 0) {
    const { value, pointer } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}` }));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const id = value[idKeyword];
    if (typeof id === 'string') {
      const hash = id.indexOf('#');
      if (hash === -1) index.ids.set(id, value);
      else if (hash === 0 && id.length > 1) index.anchors.add(id.slice(1));
      else index.ids.set(id.slice(0, hash), value);
    }
    for (const anchorKeyword of ['$anchor', '$dynamicAnchor', '$recursiveAnchor']) {
      const anchor = value[anchorKeyword];
      if (typeof anchor === 'string') index.anchors.add(anchor);
    }
    for (const [member, child] of Object.entries(value)) {
      const childPointer = `${pointer}/${member.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (member === '$ref' && typeof child === 'string') index.refs.push({ pointer: childPointer, ref: child });
      else if (!dataKeywords.has(member)) stack.push({ value: child, pointer: childPointer });
    }
  }
  return index;
}

function fragmentResolves(document: JsonValue, index: SchemaIndex, fragment: string): boolean {
  if (fragment === '' || fragment === '/') return true;
  if (fragment.startsWith('/')) {
    let pointer: string;
    try {
      pointer = decodeURIComponent(fragment);
    } catch {
      return false;
    }
    return getAtPointer(document, pointer) !== undefined;
  }
  return index.anchors.has(fragment);
}

/**
 * Every `$ref` must resolve without fetching: `#…` inside the document, a `$id` the document declares, its own root
 * `$id`, `name@version#…` naming another schema spec (whose schema is given by `schemaSpecs`), or the absolute URL
 * a schema spec's `$id` declares.
 */
export function checkSchemaRefs(
  schema: JsonValue,
  draft: Draft,
  schemaSpecs: SchemaLookup,
  detectDraft: (schema: JsonValue) => Draft | undefined,
): SchemaProblem[] {
  const index = indexSchema(schema, draft);
  const problems: SchemaProblem[] = [];
  const foreignIndexes = new Map<string, SchemaIndex>();
  for (const { pointer, ref } of index.refs) {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    let document: JsonValue | undefined;
    let documentIndex = index;
    if (target === '') document = schema;
    else if (metaSchemaIds.test(target)) continue;
    else if (parseSpecId(target)) {
      document = schemaSpecs.get(target);
      if (document === undefined) continue; // REF_NOT_FOUND, reported by the reference check
      let foreign = foreignIndexes.get(target);
      if (!foreign) foreignIndexes.set(target, (foreign = indexSchema(document, detectDraft(document) ?? draft)));
      documentIndex = foreign;
    } else {
      const resolved = resolveAgainstRoot(schema, draft, target);
      document = index.ids.get(target) ?? index.ids.get(resolved ?? '');
      // A document outside this one, by URL: the schema spec of the registry whose `$id` it is.
      const url = document === undefined ? absoluteSchemaUri(resolved ?? target) : undefined;
      const specId = url === undefined ? undefined : schemaSpecs.idOf?.(url);
      if (specId !== undefined) {
        document = schemaSpecs.get(specId);
        if (document !== undefined) {
          let foreign = foreignIndexes.get(specId);
          if (!foreign) foreignIndexes.set(specId, (foreign = indexSchema(document, detectDraft(document) ?? draft)));
          documentIndex = foreign;
        }
      }
    }
    if (document === undefined) {
      problems.push({
        code: 'SCHEMA_REF_UNRESOLVED',
        pointer,
        message: `$ref "${ref}" cannot be resolved (references are never fetched; use a local #/… pointer, a schema spec's name@version, or the $id of a schema spec of this registry)`,
      });
    } else if (!fragmentResolves(document, documentIndex, fragment)) {
      problems.push({
        code: 'SCHEMA_REF_UNRESOLVED',
        pointer,
        message: `$ref "${ref}": ${fragment.startsWith('/') ? 'no such location' : 'no such anchor'} in ${target === '' ? 'this schema' : target}`,
      });
    }
  }
  return problems;
}

/** A relative `$ref` target resolved against the root `$id`, when the root has an absolute one. */
function resolveAgainstRoot(schema: JsonValue, draft: Draft, target: string): string | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const rootId = schema[draft === 'draft-04' ? 'id' : '$id'];
  if (typeof rootId !== 'string') return undefined;
  try {
    return new URL(target, rootId).href.replace(/#$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Every `pattern` and `patternProperties` key (in `propertyNames` too: it holds a schema) must be a valid regular
 * expression with the `u` flag, as ajv uses, that the linear-time engine can run (SCHEMA_PATTERN_UNSUPPORTED).
 */
export function checkSchemaPatterns(schema: JsonValue): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const stack: { value: JsonValue; pointer: string }[] = [{ value: schema, pointer: '' }];
  const tryPattern = (pattern: string, pointer: string) => {
    try {
      compileLinearRegExp(pattern);
    } catch (cause) {
      if (cause instanceof PatternUnsupportedError)
        problems.push({ code: cause.code, pointer, message: cause.message });
      else
        problems.push({
          code: 'SCHEMA_INVALID',
          pointer,
          message: `pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(cause as Error).message}`,
        });
    }
  };
  while (stack.length > 0) {
    const { value, pointer } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}` }));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [member, child] of Object.entries(value)) {
      const childPointer = `${pointer}/${member.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (dataKeywords.has(member)) continue;
      if (member === 'pattern' && typeof child === 'string') tryPattern(child, childPointer);
      if (member === 'patternProperties' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
        for (const key of Object.keys(child))
          tryPattern(key, `${childPointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
      stack.push({ value: child, pointer: childPointer });
    }
  }
  return problems;
}
