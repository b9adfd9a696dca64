// Runs the schema engine on one schema-valued field of a spec and reports its changes as spec changes.
import type { JsonValue } from '../core/json.js';
import { compareSchemas } from './compareSchemas.js';
import type { Direction } from './severity.js';
import type { DiffChange } from './specRules.js';

/** Resolves `$ref: "name@version"` to that schema spec's schema, on each side (undefined: not there). */
export interface SchemaResolvers {
  old: (ref: string) => JsonValue | undefined;
  new: (ref: string) => JsonValue | undefined;
}

/**
 * The changes between two schemas held at `pointer` in the spec. A change inside a referenced schema spec keeps
 * `pointer` and names the spec and the place in it (`schema`); one in the field itself gets its pointer appended.
 * `rename` maps the engine's pointer onto the spec's field names (a port's `{$ref}` is its `schema` field).
 */
export function schemaChanges(
  oldSchema: JsonValue,
  newSchema: JsonValue,
  direction: Direction,
  resolvers: SchemaResolvers,
  pointer: string,
  rename: (schemaPointer: string) => string = (schemaPointer) => schemaPointer,
): DiffChange[] {
  const changes = compareSchemas(
    { schema: oldSchema, resolveRef: resolvers.old },
    { schema: newSchema, resolveRef: resolvers.new },
    { direction },
  );
  return changes.map((change) => {
    const out: DiffChange = {
      rule: change.rule,
      pointer: change.document === undefined ? pointer + rename(change.pointer) : pointer,
      severity: change.severity,
      message: change.message,
    };
    if (change.document !== undefined) out.schema = { document: change.document, pointer: change.pointer };
    if (change.old !== undefined) out.old = change.old;
    if (change.new !== undefined) out.new = change.new;
    return out;
  });
}
