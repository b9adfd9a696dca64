// The schema specs of one snapshot, loaded on demand (with what they `$ref`), compiled once, for validating values.
import { getAtPointer, type JsonValue } from '../core/json.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { findSchemaSpecRefs, SchemaCompiler, type CompiledSchema } from '../validate/schemaCompiler.js';
import type { SnapshotView } from './snapshotView.js';
import { parseSpecId } from '../core/ref.js';
import { schemaIdIndex } from './schemaIdIndex.js';

export class SnapshotSchemas {
  private readonly schemas = new Map<string, JsonValue>();
  /** The schema spec each `$id` URL met so far names (load() resolves them with the snapshot's schemaIdIndex). */
  private readonly urlIds = new Map<string, string>();
  /** The compiler reads `schemas` as it grows: load() puts a schema's whole $ref closure there before compiling. */
  private readonly compiler = new SchemaCompiler({
    get: (id) => this.schemas.get(id),
    idOf: (url) => this.urlIds.get(url),
  });

  /** Where each kind with a referenceable schema holds it (the schema kind's `/schema`). */
  private readonly schemaPointers: ReadonlyMap<string, string>;

  constructor(
    private readonly view: SnapshotView,
    private readonly kinds: readonly KindDescriptor[] = builtinKinds,
  ) {
    this.schemaPointers = new Map(
      kinds.flatMap((kind) =>
        kind.referenceableSchema === undefined ? [] : [[kind.name, kind.referenceableSchema] as const],
      ),
    );
  }

  /** The JSON Schema of a schema spec, after loading it and every schema spec it reaches; undefined if absent. */
  async load(id: string): Promise<JsonValue | undefined> {
    const pending = [id];
    while (pending.length > 0) {
      let next = pending.pop()!;
      if (!parseSpecId(next)) {
        const specId = (await schemaIdIndex(this.view, this.kinds)).get(next);
        if (specId === undefined) continue; // refused at build; a stored schema that still has one does not compile
        this.urlIds.set(next, specId);
        next = specId;
      }
      if (this.schemas.has(next)) continue;
      const resolved = await this.view.get(next);
      const pointer = resolved && this.schemaPointers.get(resolved.kind);
      const schema = resolved && pointer !== undefined ? getAtPointer(resolved.spec, pointer) : undefined;
      if (schema === undefined) continue;
      this.schemas.set(next, schema);
      for (const ref of findSchemaSpecRefs(schema)) pending.push(ref.ref);
    }
    return this.schemas.get(id);
  }

  /** A loaded schema, synchronously (for compareSchemas' resolveRef). */
  loaded(id: string): JsonValue | undefined {
    return this.schemas.get(id);
  }

  /**
   * An ajv validator for a schema spec, or why there is none (`problems`): absent from the snapshot, or it does not
   * compile. Callers must treat "no validator" as a failure, never as "nothing to check".
   */
  async validator(id: string): Promise<CompiledSchema> {
    const schema = await this.load(id);
    if (schema === undefined)
      return { problems: [{ code: 'REF_NOT_FOUND', pointer: '', message: `schema ${id} is not in the snapshot` }] };
    return this.compiler.compile(id, schema);
  }
}
