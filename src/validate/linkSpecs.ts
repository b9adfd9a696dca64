// The checks that need every file: unique ids, one kind per name, references, embedded schemas, payloads.
import { getAtPointer, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { describeRefProblem, parseRef, parseSpecId, quoteStart, refProblem } from '../core/ref.js';
import type { Diagnostic, SourceLocation } from '../errors.js';
import { matchPointerPattern, type KindDescriptor, type LinkedCheck } from '../kinds/kindDescriptor.js';
import { describeAjvError, type FileAnalysis } from './analyzeSpecFile.js';
import { digestTrustedValue } from '../core/digest.js';
import { embeddedSchemaKey, findSchemaSpecRefs, SchemaCompiler, validateBounded } from './schemaCompiler.js';

export interface LinkOptions {
  kinds: readonly KindDescriptor[];
  /** The parsed document of an analysed spec (from its canonical text, or from the store for cached files). */
  valueOf: (analysis: FileAnalysis) => JsonObject;
  /** Positions a pointer in a file; only called for problems, so it may read and parse the file again. */
  locate: (analysis: FileAnalysis, pointer: string) => SourceLocation;
  /**
   * Payloads known to satisfy their schema, by `payloadKey`: checked by an earlier build, they are not checked again
   * (compiling the schema is most of a small rebuild's cost).
   */
  validPayloads?: ReadonlySet<string>;
  /** Where a file comes from when not from the registry itself (a plugin, `@acme/media-tools@1.0.0`), for messages. */
  originOf?: (analysis: FileAnalysis) => string | undefined;
  /** `linkTargets` of the same analyses, when the caller made it already (a build uses it to find what to read). */
  targets?: LinkTargets;
  /**
   * The analyses whose references and embedded schemas are checked (default: all). The others take part as targets
   * only: an analysis with no references and no schemas (one the build cache vouches for) has nothing to check.
   */
  linked?: Iterable<FileAnalysis>;
}

/** Every analysis as a target: the first with each id, and those that repeat an id or give a name a second kind. */
export interface LinkTargets {
  /** By id, the index (into the analyses) of the first analysis with that id. */
  byId: ReadonlyMap<string, number>;
  /** By the `$id` URL schema specs declare, the indices of the analyses declaring it (first-of-their-id only). */
  byUrl: ReadonlyMap<string, readonly number[]>;
  duplicates: { index: number; first: number }[];
  kindConflicts: { index: number; first: number }[];
}

/**
 * One pass over every analysis: a Map by id, and a Map by name only to find a name used by two kinds. With `names`,
 * only those names can have two kinds (a build whose other files are a valid build's, unchanged, passes the names of
 * the files it read again), and only they are tracked.
 */
export function linkTargets(analyses: readonly FileAnalysis[], names?: ReadonlySet<string>): LinkTargets {
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  const byUrl = new Map<string, number[]>();
  const duplicates: LinkTargets['duplicates'] = [];
  const kindConflicts: LinkTargets['kindConflicts'] = [];
  for (let index = 0; index < analyses.length; index++) {
    const analysis = analyses[index]!;
    const id = analysis.id;
    if (id === undefined) continue;
    const first = byId.get(id);
    if (first !== undefined) {
      duplicates.push({ index, first });
      continue;
    }
    byId.set(id, index);
    if (analysis.schemaId !== undefined) {
      const declaring = byUrl.get(analysis.schemaId);
      if (declaring) declaring.push(index);
      else byUrl.set(analysis.schemaId, [index]);
    }
    const name = analysis.spec?.id === id ? analysis.spec.name : id.slice(0, id.indexOf('@'));
    if (names !== undefined && !names.has(name)) continue;
    const sameName = byName.get(name);
    if (sameName === undefined) byName.set(name, index);
    else if (analyses[sameName]!.kind !== analysis.kind) kindConflicts.push({ index, first: sameName });
  }
  return { byId, byUrl, duplicates, kindConflicts };
}

export interface LinkResult {
  diagnostics: Diagnostic[];
  /** The payload keys each file's payloads were found valid under, by file path (for the build cache). */
  validPayloads: Map<string, string[]>;
}

/**
 * What a payload check depends on, when that is only the payload and the schema (no `$ref` to another schema spec, whose
 * content would matter too): the digest of the payload with the schema's digest. Undefined otherwise: such payloads are
 * always checked. The schema's part is worked out once per schema value (thousands of tools share a predicate's).
 */
export function payloadKey(payload: JsonValue, schema: JsonValue): string | undefined {
  const schemaDigest = schemaKeyPart(schema);
  return schemaDigest === null ? undefined : digestTrustedValue([payload, schemaDigest]).digest;
}

/** By schema value (documents are never changed once parsed): its digest, or null when it `$ref`s a schema spec. */
const schemaKeyParts = new WeakMap<object, string | null>();

function schemaKeyPart(schema: JsonValue): string | null {
  if (schema === null || typeof schema !== 'object') return digestTrustedValue(schema).digest;
  let part = schemaKeyParts.get(schema);
  if (part === undefined)
    schemaKeyParts.set(
      schema,
      (part = findSchemaSpecRefs(schema).length > 0 ? null : digestTrustedValue(schema).digest),
    );
  return part;
}

/** A duplicate id names both files and, when either comes from a plugin, both origins. */
function duplicateMessage(analysis: FileAnalysis, first: FileAnalysis, originOf: LinkOptions['originOf']): string {
  const here = originOf?.(analysis);
  const there = originOf?.(first);
  if (here === undefined && there === undefined) return `${analysis.id} is also defined in ${first.file}`;
  const label = (origin: string | undefined) => (origin === undefined ? 'the registry' : `plugin ${origin}`);
  return `${analysis.id} comes from two origins: ${label(there)} (${first.file}) and ${label(here)} (this file); an id may come from one only`;
}

/**
 * Checks across files. Every file takes part as a target (ids, kinds, digests); only the references and embedded
 * schemas listed in each analysis are checked, so an analysis with none (an unchanged file the cache vouches for)
 * costs nothing beyond its id.
 */
export function linkSpecs(analyses: readonly FileAnalysis[], options: LinkOptions): LinkResult {
  const diagnostics: Diagnostic[] = [];
  const validPayloads = new Map<string, string[]>();
  const kindByName = new Map(options.kinds.map((kind) => [kind.name, kind]));
  // A `$ref: "name@version"` in a schema must name a spec whose kind has a referenceable schema.
  const schemaKinds = options.kinds.filter((kind) => kind.referenceableSchema !== undefined).map((kind) => kind.name);
  const report = (analysis: FileAnalysis, diagnostic: Omit<Diagnostic, 'file' | 'severity' | 'line' | 'column'>) => {
    const location =
      diagnostic.pointer === undefined ? { file: analysis.file } : options.locate(analysis, diagnostic.pointer);
    diagnostics.push({ severity: 'error', ...diagnostic, ...location });
  };

  // Unique ids; one kind per name. Files whose id did not parse take no part. Reported in file order, as found.
  const targets = options.targets ?? linkTargets(analyses);
  const problems = [
    ...targets.duplicates.map((found) => ({ ...found, duplicate: true })),
    ...targets.kindConflicts.map((found) => ({ ...found, duplicate: false })),
  ].sort((a, b) => a.index - b.index);
  for (const { index, first: firstIndex, duplicate } of problems) {
    const analysis = analyses[index]!;
    const first = analyses[firstIndex]!;
    const id = analysis.id!;
    if (duplicate) {
      report(analysis, {
        code: 'DUPLICATE_ID',
        pointer: '/id',
        ref: id,
        message: duplicateMessage(analysis, first, options.originOf),
        related: [options.locate(first, '/id')],
      });
      continue;
    }
    const name = id.slice(0, id.indexOf('@'));
    report(analysis, {
      code: 'NAME_KIND_CONFLICT',
      pointer: '/id',
      ref: id,
      message: `name "${name}" is a ${first.kind} in ${first.file} and a ${analysis.kind} here: a name belongs to one kind`,
      related: [options.locate(first, '/id')],
    });
  }
  const idIndex = targets.byId;
  const byId = {
    get: (id: string): FileAnalysis | undefined => {
      const index = idIndex.get(id);
      return index === undefined ? undefined : analyses[index];
    },
    keys: () => idIndex.keys(),
  };

  // The URL each schema spec's schema declares as its root `$id`: other schemas `$ref` it so. Two versions of one
  // schema may keep one `$id` until something `$ref`s that URL: then the reference is ambiguous (checked below).
  const declaringUrl = (url: string): FileAnalysis[] => (targets.byUrl.get(url) ?? []).map((index) => analyses[index]!);
  /**
   * A `$ref` by URL names the one schema spec declaring it as its `$id`. None is SCHEMA_REF_UNRESOLVED (nothing is
   * fetched); more than one is SCHEMA_REF_AMBIGUOUS, naming where each declares it.
   */
  const resolveUrlTarget = (analysis: FileAnalysis, pointer: string, url: string): FileAnalysis | undefined => {
    const declaring = declaringUrl(url);
    if (declaring.length === 1) return declaring[0];
    if (declaring.length === 0)
      report(analysis, {
        code: 'SCHEMA_REF_UNRESOLVED',
        pointer,
        ref: url,
        message: `schema $ref to ${url}: no schema spec of this registry declares it as its $id (references are never fetched)`,
      });
    else
      report(analysis, {
        code: 'SCHEMA_REF_AMBIGUOUS',
        pointer,
        ref: url,
        message: `schema $ref to ${url}: ${declaring.map((each) => each.id).join(', ')} each declare it as their $id; a URL must name one schema spec (put the version in the $id, e.g. …/${declaring.at(-1)!.id!.replace('@', '/')}.json, or $ref by name@version)`,
        related: declaring.map((each) =>
          options.locate(each, idPointerOf(each, kindByName.get(each.kind)?.referenceableSchema ?? '', options.locate)),
        ),
      });
    return undefined;
  };

  const resolveTarget = (
    analysis: FileAnalysis,
    pointer: string,
    text: JsonValue,
    allowed: readonly string[],
  ): FileAnalysis | undefined => {
    if (typeof text !== 'string') return undefined; // the kind schema reported the type
    const ref = parseRef(text);
    if (!ref) {
      report(analysis, {
        code: 'REF_INVALID',
        pointer,
        message: `${quoteStart(text)} is not a reference (name@version): ${describeRefProblem(text, refProblem(text, 'ref') ?? 'name-invalid')}`,
      });
      return undefined;
    }
    if (!ref.version) {
      report(analysis, {
        code: 'REF_NOT_EXACT',
        pointer,
        ref: text,
        message: `"${text}" has no version: references between specs must be exact (name@version)`,
      });
      return undefined;
    }
    const target = byId.get(text);
    if (!target) {
      const known = [...byId.keys()].filter((id) => id.startsWith(`${ref.name}@`));
      const hint = known.length > 0 ? ` (the registry has ${known.join(', ')})` : '';
      report(analysis, {
        code: 'REF_NOT_FOUND',
        pointer,
        ref: text,
        message: `${text} is not defined in this registry${hint}`,
      });
      return undefined;
    }
    if (!allowed.includes(target.kind)) {
      report(analysis, {
        code: 'REF_WRONG_KIND',
        pointer,
        ref: text,
        message: `${text} is a ${target.kind}; expected ${allowed.join(' or ')}`,
      });
      return undefined;
    }
    return target;
  };

  // Schema specs by id, parsed lazily: most builds only need the few that are referenced or changed.
  const schemaValues = new Map<string, JsonValue | null>();
  const schemaOf = (id: string): JsonValue | undefined => {
    let schema = schemaValues.get(id);
    if (schema === undefined) {
      const target = byId.get(id);
      const pointer = target ? kindByName.get(target.kind)?.referenceableSchema : undefined;
      schema = target?.spec && pointer !== undefined ? (getAtPointer(options.valueOf(target), pointer) ?? null) : null;
      schemaValues.set(id, schema);
    }
    return schema ?? undefined;
  };
  const compiler = new SchemaCompiler({
    get: schemaOf,
    idOf: (url) => {
      const declaring = targets.byUrl.get(url);
      return declaring?.length === 1 ? analyses[declaring[0]!]!.id : undefined;
    },
  });

  for (const analysis of options.linked ?? analyses) {
    if (analysis.id === undefined || byId.get(analysis.id)?.path !== analysis.path) continue;
    for (const embedded of analysis.schemas) {
      let refsResolve = true;
      for (const specRef of embedded.specRefs) {
        const target = parseSpecId(specRef.ref)
          ? resolveTarget(analysis, specRef.pointer, specRef.ref, schemaKinds)
          : resolveUrlTarget(analysis, specRef.pointer, specRef.ref);
        refsResolve = target !== undefined && refsResolve;
      }
      if (!analysis.spec || !refsResolve) continue;
      // Found by the file's analysis when they depend on the schema alone; else checked here, with every schema spec.
      let problems = embedded.problems;
      if (problems === undefined) {
        const schema = getAtPointer(options.valueOf(analysis), embedded.pointer)!;
        const key = embeddedSchemaKey(
          kindByName.get(analysis.kind)?.referenceableSchema,
          analysis.id,
          embedded.pointer,
        );
        problems = compiler.check(schema, key);
        // What passes the checks must also compile (enum: [] is valid against some meta-schemas and no schema at all).
        if (problems.length === 0) problems = compiler.compile(key, schema, { checked: true }).problems;
      }
      for (const problem of problems)
        report(analysis, {
          code: problem.code,
          pointer: `${embedded.pointer}${problem.pointer}`,
          message: `schema ${problem.message}`,
        });
    }
    const targets = new Map<string, FileAnalysis | undefined>();
    for (const reference of analysis.references) {
      const target = resolveTarget(analysis, reference.pointer, reference.value, reference.kinds);
      targets.set(reference.pointer, target);
      if (!target?.spec || !reference.payload) continue;
      const schema = getAtPointer(options.valueOf(target), reference.payload.schemaPointer);
      if (schema === undefined) continue;
      const key = payloadKey(reference.payload.value, schema);
      const remember = () => {
        if (key === undefined) return;
        const keys = validPayloads.get(analysis.path);
        if (keys) keys.push(key);
        else validPayloads.set(analysis.path, [key]);
      };
      if (key !== undefined && options.validPayloads?.has(key)) {
        remember();
        continue;
      }
      // A payload schema that is one of the target's embedded schemas is checked on the target's own file (here, or by
      // the build that stored it), and a problem with it fails that file: the meta-schema pass is not repeated.
      const checked = kindByName.get(target.kind)?.embeddedSchemas.includes(reference.payload.schemaPointer) === true;
      const compiled = compiler.compile(`${target.id}/embedded${reference.payload.schemaPointer}`, schema, { checked });
      // No validator is never a pass: the target's file reports why, and this payload is unchecked, so an error too.
      const valid = compiled.validate ? validateBounded(compiled.validate, reference.payload.value) : undefined;
      if (valid === undefined) {
        report(analysis, {
          code: 'ARGS_UNCHECKABLE',
          pointer: reference.payload.pointer,
          ref: target.id!,
          message: `${reference.payload.pointer.split('/').pop()} for ${target.id} cannot be checked: its schema does not compile (${compiled.problems.map((p) => p.code).join(', ') || 'too deep'})`,
        });
      } else if (!valid && compiled.validate) {
        for (const error of compiled.validate.errors ?? []) {
          const { pointer, message } = describeAjvError(error);
          report(analysis, {
            code: reference.payload.code ?? 'ARGS_INVALID',
            pointer: `${reference.payload.pointer}${pointer}`,
            ref: target.id!,
            message: `${reference.payload.pointer.split('/').pop()} for ${target.id}: ${message}`,
          });
        }
      } else remember();
    }
    // Only a file whose references are linked here (not one the index alone describes) is checked across specs.
    const linkedChecks = kindByName.get(analysis.kind)?.linkedChecks;
    if (linkedChecks && analysis.spec && analysis.references.length > 0) {
      for (const check of linkedChecks)
        for (const finding of runLinkedCheck(check, options.valueOf(analysis), (pointer) => {
          const target = targets.get(pointer);
          if (!target?.spec) return undefined;
          return { kind: kindByName.get(target.kind), value: options.valueOf(target) };
        }))
          report(analysis, finding);
    }
  }
  return { diagnostics, validPayloads };
}

/** Where a schema spec's `$id` is written: `$id`, or `id` (draft-04), under the kind's referenceable schema. */
function idPointerOf(analysis: FileAnalysis, schemaPointer: string, locate: LinkOptions['locate']): string {
  const modern = `${schemaPointer}/$id`;
  const found = locate(analysis, modern);
  const parent = locate(analysis, schemaPointer);
  return found.line !== parent.line || found.column !== parent.column ? modern : `${schemaPointer}/id`;
}

/** A referenced spec as a linked check sees it: its kind and document. */
type LinkedTarget = { kind: KindDescriptor | undefined; value: JsonObject };

/**
 * Runs one linked check on a spec; `targetAt` gives the spec referenced at a pointer, or undefined when that
 * reference did not resolve (already reported: the check then says nothing, rather than a second, derived error).
 */
function runLinkedCheck(
  check: LinkedCheck,
  spec: JsonObject,
  targetAt: (pointer: string) => LinkedTarget | undefined,
): { code: string; pointer: string; message: string }[] {
  const required = getAtPointer(spec, check.required);
  if (!Array.isArray(required) || required.length === 0) return [];
  const provided = new Set<string>();
  for (const provider of matchPointerPattern(spec, check.providers)) {
    const target = targetAt(provider.pointer);
    if (!target) return [];
    const pattern = target.kind?.capabilities;
    if (pattern === undefined) continue;
    for (const match of matchPointerPattern(target.value, pattern))
      for (const capability of Array.isArray(match.value) ? match.value : [match.value])
        if (typeof capability === 'string') provided.add(capability);
  }
  return required.flatMap((capability, index) =>
    typeof capability !== 'string' || provided.has(capability)
      ? []
      : [
          {
            code: check.code,
            pointer: joinPointer(check.required, index),
            message: `capability "${capability}" is required, but no spec referenced at ${check.providers} declares it${provided.size > 0 ? ` (they declare ${[...provided].sort().join(', ')})` : ''}`,
          },
        ],
  );
}
