// Everything that can be checked in one file alone: YAML, the kind's schema, the id, kind checks, digest, outgoing refs.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { digestTrustedValue, type Digest } from '../core/digest.js';
import { getAtPointer, isJsonObject, parseJsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { describeRefProblem, parseSpecId, quoteStart, refProblem } from '../core/ref.js';
import type { Diagnostic } from '../errors.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import { unreadableFile } from '../source/listRegistry.js';
import { locatePointer, parseYamlSpec } from '../source/parseYamlSpec.js';
import { createKindAjv } from './ajvInstances.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import { linearRegExpEngine } from './linearRegExp.js';
import { declaredSchemaId } from './schemaUrlRefs.js';
import { precompiledKindValidator } from './precompiledValidators.js';
import {
  embeddedSchemaKey,
  findSchemaSpecRefs,
  selfContainedSchemaProblems,
  type SchemaProblem,
} from './schemaCompiler.js';

/** The input of an analysis: one file's bytes and the kind its directory says it is. */
export interface SpecSource {
  file: string;
  path: string;
  kind: string;
  bytes: Uint8Array;
}

/** A reference field's value, and the payload (e.g. predicate `args`) that must satisfy the target's schema. */
export interface OutgoingReference {
  pointer: string;
  value: JsonValue;
  kinds: readonly string[];
  payload?: { pointer: string; value: JsonValue; schemaPointer: string; code: string };
}

/** A JSON Schema held in the spec, and the other schema specs it `$ref`s (by `name@version` or by URL). */
export interface EmbeddedSchema {
  pointer: string;
  specRefs: { pointer: string; ref: string }[];
  /** For a schema that `$ref`s no schema spec, in a file without errors: its own problems (selfContainedSchemaProblems). */
  problems?: SchemaProblem[];
}

export interface AnalyzedSpec {
  id: string;
  name: string;
  version: string;
  digest: Digest;
  /** Canonical JSON text: what is stored under `digest`. */
  text: string;
}

/** The result of analysing one file; plain data (it crosses worker threads and is cached between builds). */
export interface FileAnalysis {
  file: string;
  path: string;
  kind: string;
  /** Problems found in this file alone, positioned. */
  diagnostics: Diagnostic[];
  /** The id as written, when it parses (even if other fields are wrong): used for duplicate and reference checks. */
  id?: string;
  /** Present when the file has no error of its own. */
  spec?: AnalyzedSpec;
  /** The absolute URL its referenceable schema's root `$id` declares (declaredSchemaId): others may `$ref` it so. */
  schemaId?: string;
  references: OutgoingReference[];
  schemas: EmbeddedSchema[];
}

const kindValidators = new WeakMap<KindDescriptor, ValidateFunction>();

function kindValidator(kind: KindDescriptor): ValidateFunction {
  let validate = kindValidators.get(kind);
  if (!validate) {
    // A kind defined outside the code (a kind file) runs its patterns on the linear-time engine, like users' schemas.
    validate =
      precompiledKindValidator(kind) ??
      createKindAjv(builtinKinds.includes(kind) ? {} : { code: { regExp: linearRegExpEngine } }).compile(kind.schema);
    kindValidators.set(kind, validate);
  }
  return validate;
}

export function describeAjvError(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const property = String(params['additionalProperty']);
    return {
      pointer: `${error.instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      message: `unknown field "${property}" (extension fields start with "x-")`,
    };
  }
  if (error.keyword === 'required')
    return { pointer: error.instancePath, message: `missing required field "${String(params['missingProperty'])}"` };
  if (error.keyword === 'enum')
    return {
      pointer: error.instancePath,
      message: `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
    };
  const where = error.instancePath === '' ? 'spec' : `"${error.instancePath}"`;
  return { pointer: error.instancePath, message: `${where} ${error.message ?? 'is invalid'}` };
}

/** Drops ajv's duplicate errors (allErrors repeats some across branches). */
function distinctErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    // "must match the then schema" only wraps the errors of the `then` branch, which are reported themselves.
    if (error.keyword === 'if') return false;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Fills line and column from the pointer; a pointer to something absent (a missing field) uses its nearest parent. */
export function positionDiagnostic(diagnostic: Diagnostic, bytes: Uint8Array): Diagnostic {
  if (diagnostic.line !== undefined || diagnostic.pointer === undefined) return diagnostic;
  let pointer = diagnostic.pointer;
  for (;;) {
    const position = locatePointer(bytes, pointer);
    if (position) return { ...diagnostic, line: position.line, column: position.column };
    if (pointer === '') return diagnostic;
    pointer = pointer.slice(0, pointer.lastIndexOf('/'));
  }
}

/** The analysis of a file that could not be read: FILE_UNREADABLE, and nothing else. */
export function unreadableFileAnalysis(
  file: { file: string; path: string; kind: string },
  cause: unknown,
): FileAnalysis {
  return {
    file: file.file,
    path: file.path,
    kind: file.kind,
    references: [],
    schemas: [],
    diagnostics: [unreadableFile(file.file, cause)],
  };
}

export function analyzeSpecFile(source: SpecSource, kind: KindDescriptor): FileAnalysis {
  const analysis: FileAnalysis = {
    file: source.file,
    path: source.path,
    kind: kind.name,
    diagnostics: [],
    references: [],
    schemas: [],
  };
  const parsed = parseYamlSpec(source.bytes, source.file);
  analysis.diagnostics.push(...parsed.diagnostics);
  if (parsed.value === undefined || !isJsonObject(parsed.value)) return analysis;
  const value: JsonObject = parsed.value;
  const local: Diagnostic[] = [];
  const report = (code: string, pointer: string, message: string, severity: Diagnostic['severity'] = 'error') => {
    local.push({ code, severity, file: source.file, pointer, message });
  };

  const validate = kindValidator(kind);
  if (!validate(value)) {
    for (const error of distinctErrors(validate.errors ?? [])) {
      const { pointer, message } = describeAjvError(error);
      report('SPEC_INVALID', pointer, `${kind.name}: ${message}`);
    }
  }
  let ref: ReturnType<typeof parseSpecId>;
  const id = value['id'];
  if (typeof id === 'string') {
    ref = parseSpecId(id);
    if (ref) analysis.id = id;
    else
      report(
        'ID_INVALID',
        '/id',
        `${quoteStart(id)} is not a valid id: ${describeRefProblem(id, refProblem(id, 'id') ?? 'name-invalid')} (see docs/specs.md#ids)`,
      );
  }
  for (const finding of kind.check?.(value) ?? [])
    report(finding.code, finding.pointer, finding.message, finding.severity ?? 'error');

  for (const field of kind.references) {
    for (const match of matchPointerPattern(value, field.path)) {
      const reference: OutgoingReference = { pointer: match.pointer, value: match.value, kinds: field.kinds };
      if (field.payload) {
        const pointer = `${match.pointer.slice(0, match.pointer.lastIndexOf('/'))}/${field.payload.sibling}`;
        const parent = matchPointerPattern(value, pointer)[0];
        if (parent !== undefined || field.payload.optional !== true) {
          reference.payload = {
            pointer,
            value: parent?.value ?? {},
            schemaPointer: field.payload.schemaPointer,
            code: field.payload.code ?? 'ARGS_INVALID',
          };
        }
      }
      analysis.references.push(reference);
    }
  }
  for (const pattern of kind.embeddedSchemas) {
    for (const match of matchPointerPattern(value, pattern)) {
      analysis.schemas.push({
        pointer: match.pointer,
        specRefs: findSchemaSpecRefs(match.value).map((found) => ({
          pointer: `${match.pointer}${found.pointer}`,
          ref: found.ref,
        })),
      });
    }
  }

  if (kind.referenceableSchema !== undefined) {
    const schemaId = declaredSchemaId(getAtPointer(value, kind.referenceableSchema));
    if (schemaId !== undefined) analysis.schemaId = schemaId;
  }
  analysis.diagnostics.push(...local.map((diagnostic) => positionDiagnostic(diagnostic, source.bytes)));
  if (ref && !analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    const { digest, text } = digestTrustedValue(value);
    analysis.spec = { id: ref.text, name: ref.name, version: ref.version.text, digest, text };
    // Checked here, off the main thread, on the document the link would read (the canonical text, parsed).
    const selfContained = analysis.schemas.filter((embedded) => embedded.specRefs.length === 0);
    if (selfContained.length > 0) {
      const canonical = parseJsonText(text);
      for (const embedded of selfContained) {
        const problems = selfContainedSchemaProblems(
          getAtPointer(canonical, embedded.pointer)!,
          embeddedSchemaKey(kind.referenceableSchema, ref.text, embedded.pointer),
        );
        if (problems) embedded.problems = problems;
      }
    }
  }
  return analysis;
}
