// The JSON data model, and the walk that admits only JSON values before anything is hashed.
import { SpecError } from '../errors.js';

export type JsonPrimitive = null | boolean | number | string;
/** A JSON value: what a spec, a plan and every stored object are made of. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** A JSON object (a spec document, a plan, a schema). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Escapes one key for a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function joinPointer(pointer: string, token: string | number): string {
  return `${pointer}/${escapePointerToken(String(token))}`;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapePointerToken);
}

/** Reads the value at a JSON pointer, or undefined. */
export function getAtPointer(value: JsonValue, pointer: string): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(current)) current = /^(0|[1-9][0-9]*)$/.test(token) ? current[Number(token)] : undefined;
    else if (current !== null && typeof current === 'object')
      current = Object.hasOwn(current, token) ? current[token] : undefined;
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * A new, empty JSON object without a prototype: every key (`__proto__`, `constructor`, `toString`) is plain data,
 * assigning one never calls a setter, and reading an absent one finds nothing inherited. Every reader of YAML or
 * JSON builds its objects this way.
 */
export function newJsonObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/**
 * Parses JSON text into a JSON value whose objects are all prototype-free (see newJsonObject): JSON.parse keeps a
 * `__proto__` key as data, but its objects inherit Object.prototype, whose members then read as keys. Throws
 * JSON.parse's SyntaxError. The copy is iterative: the text is user input.
 */
export function parseJsonText(text: string): JsonValue {
  return ownJsonValue(JSON.parse(text) as JsonValue);
}

/** The value with every object replaced by a prototype-free copy (arrays are updated in place). */
export function ownJsonValue(value: JsonValue): JsonValue {
  const root: { value: JsonValue } = { value };
  const pending: [Record<string | number, JsonValue>, string | number][] = [[root, 'value']];
  while (pending.length > 0) {
    const [container, key] = pending.pop()!;
    const current = container[key];
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) pending.push([current as unknown as Record<number, JsonValue>, i]);
      continue;
    }
    const copy = newJsonObject();
    for (const name of Object.keys(current)) {
      copy[name] = current[name]!;
      pending.push([copy, name]);
    }
    container[key] = copy;
  }
  return root.value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Default bound on nesting; canonical JSON of deeper values is refused. */
export const maxJsonDepth = 128;

/**
 * Throws NOT_JSON (with the JSON pointer) unless `value` is pure JSON: null, boolean, finite number, string without
 * lone surrogates, array, or plain object, nested at most `maxDepth` levels. fast-json-stable-stringify would
 * silently turn anything else into different data.
 */
export function assertJsonValue(value: unknown, maxDepth = maxJsonDepth): asserts value is JsonValue {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, pointer, depth } = stack.pop()!;
    if (depth > maxDepth) throw notJson(pointer, `nesting deeper than ${maxDepth} levels`);
    if (current === null || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) throw notJson(pointer, `${current} is not a JSON number`);
      if (Number.isInteger(current) && !Number.isSafeInteger(current)) {
        throw notJson(pointer, `integer ${current} is outside the exactly representable range (±2^53-1)`);
      }
      continue;
    }
    if (typeof current === 'string') {
      if (loneSurrogate.test(current)) throw notJson(pointer, 'string contains a lone UTF-16 surrogate');
      continue;
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        if (!(i in current)) throw notJson(joinPointer(pointer, i), 'sparse array');
        stack.push({ value: current[i], pointer: joinPointer(pointer, i), depth: depth + 1 });
      }
      continue;
    }
    if (typeof current === 'object') {
      const proto: unknown = Object.getPrototypeOf(current);
      if (proto !== Object.prototype && proto !== null) {
        throw notJson(pointer, `${current.constructor?.name ?? 'object'} is not a plain JSON object`);
      }
      for (const key of Object.keys(current)) {
        if (loneSurrogate.test(key)) throw notJson(joinPointer(pointer, key), 'key contains a lone UTF-16 surrogate');
        const child = (current as Record<string, unknown>)[key];
        if (child === undefined) throw notJson(joinPointer(pointer, key), 'undefined is not a JSON value');
        stack.push({ value: child, pointer: joinPointer(pointer, key), depth: depth + 1 });
      }
      if (Object.getOwnPropertySymbols(current).length > 0) throw notJson(pointer, 'symbol keys are not JSON');
      continue;
    }
    throw notJson(pointer, `${typeof current} is not a JSON value`);
  }
}

function notJson(pointer: string, reason: string): SpecError {
  return new SpecError('NOT_JSON', `value at "${pointer || '/'}" is not JSON: ${reason}`, { data: { pointer } });
}
