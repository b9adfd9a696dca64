// A tool's inputs and outputs as the plan checks see them, and the one binding form a plan input may take.
import { isJsonObject, joinPointer, type JsonValue } from '../core/json.js';

// The port reader is shared with `spec diff` (diff/portRules.ts), which compares whole port lists.
export { readPorts as toolPorts, type Port } from '../diff/portRules.js';
import type { Port } from '../diff/portRules.js';

/** A required input without a default must be sent; with a default, the default is what runs. */
export function mustBeSent(port: Port): boolean {
  return port.required && !port.hasDefault;
}

/** Whether a value has a JSON `type` (as JSON Schema means it: 1.0 is an integer, an integer is a number). */
export function hasJsonType(value: JsonValue, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isJsonObject(value);
    default:
      return false;
  }
}

/** `${steps.<step>.outputs.<output>}` as a whole string value: the output of an earlier step. */
export interface OutputBinding {
  step: string;
  output: string;
}

const bindingPattern = /^\$\{steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** A binding, `invalid` for a `${…}` string that is not one, or undefined for a literal value. */
export function parseBinding(value: JsonValue): OutputBinding | 'invalid' | undefined {
  if (typeof value !== 'string' || !value.startsWith('${') || !value.endsWith('}')) return undefined;
  const match = bindingPattern.exec(value);
  return match ? { step: match[1]!, output: match[2]! } : 'invalid';
}

/** A `${…}` string somewhere inside an input value: where (a pointer below the value's), and what it binds. */
export interface NestedBinding {
  pointer: string;
  binding: OutputBinding | 'invalid';
}

/**
 * Every binding (and every `${…}` string that is not one) nested inside an object or list input value, at any
 * depth, in document order; the value itself, when it is one, is not included. Iterative: values are user input.
 */
export function nestedBindings(value: JsonValue, pointer: string): NestedBinding[] {
  const found: NestedBinding[] = [];
  const pending: { value: JsonValue; pointer: string; top: boolean }[] = [{ value, pointer, top: true }];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (!current.top) {
      const binding = parseBinding(current.value);
      if (binding !== undefined) found.push({ pointer: current.pointer, binding });
    }
    const children: { value: JsonValue; pointer: string; top: boolean }[] = [];
    if (Array.isArray(current.value))
      current.value.forEach((item, index) =>
        children.push({ value: item, pointer: joinPointer(current.pointer, index), top: false }),
      );
    else if (isJsonObject(current.value))
      for (const [key, item] of Object.entries(current.value))
        children.push({ value: item, pointer: joinPointer(current.pointer, key), top: false });
    pending.push(...children.reverse());
  }
  return found;
}
