// ajv's equality (enum, const, uniqueItems) made JSON equality, for every validator compiled here or at build time.
//
// ajv compares with fast-deep-equal, which compares constructors and calls an object's `valueOf` and `toString`: a
// prototype-free object (what our YAML and JSON readers build) or a key named `valueOf` makes it throw, or call two
// equal values different. Compiled validators, including the generated ones, take the function from ajv's runtime
// module `ajv/dist/runtime/equal` (its `default`), so that one export is pointed at jsonEqual, once, before any
// validator is compiled or loaded. For JSON values the answers are those JSON Schema defines; nothing else changes.
import { createRequire } from 'node:module';
import { jsonEqual } from '../core/jsonEqual.js';
import type { JsonValue } from '../core/json.js';

const require = createRequire(import.meta.url);

type EqualFunction = ((a: unknown, b: unknown) => boolean) & { code?: string };

const ajvJsonEqual: EqualFunction = (a, b) => jsonEqual(a as JsonValue, b as JsonValue);

export function useJsonEqualityInAjv(): void {
  const runtime = require('ajv/dist/runtime/equal') as { default: EqualFunction };
  if (runtime.default === ajvJsonEqual) return;
  // Standalone code generated at build time refers to the function by this expression; keep it.
  ajvJsonEqual.code = runtime.default.code ?? 'require("ajv/dist/runtime/equal").default';
  runtime.default = ajvJsonEqual;
}
