// Validates a registry's files: safe YAML, each kind's JSON Schema, ids, references, embedded schemas. Never prints.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { digestValue, type Digest } from '../core/digest.js';
import { getAtPointer, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseRef, parseSpecId } from '../core/ref.js';
import type { Diagnostic } from '../errors.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import { locatePointer, parseYamlSpec } from '../source/parseYamlSpec.js';
import type { SourceFile } from '../source/readRegistry.js';
import { createKindAjv } from './ajvInstances.js';
import { findSchemaSpecRefs, SchemaCompiler } from './schemaCompiler.js';

/** A spec that passed every check, with its canonical text and digest. */
export interface ValidatedSpec {
  file: string;
  path: string;
  kind: string;
  id: string;
  name: string;
  version: string;
  value: JsonObject;
  digest: Digest;
  /** Canonical JSON text (what is stored under `digest`). */
  text: string;
}

export interface ValidationResult {
  specs: ValidatedSpec[];
  /** Errors and warnings, positioned (file, line, column, pointer), in file order. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

/** A parsed file whose value is a mapping; the unit the later checks work on. */
interface Candidate {
  source: SourceFile;
  kind: KindDescriptor;
  value: JsonObject;
  id?: string;
  name?: string;
  version?: string;
}

const kindValidators = new WeakMap<KindDescriptor, ValidateFunction>();

function kindValidator(kind: KindDescriptor): ValidateFunction {
  let validate = kindValidators.get(kind);
  if (!validate) {
    validate = createKindAjv().compile(kind.schema);
    kindValidators.set(kind, validate);
  }
  return validate;
}

function describeAjvError(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const property = String(params['additionalProperty']);
    return { pointer: `${error.instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown field "${property}" (extension fields start with "x-")` };
  }
  if (error.keyword === 'required') return { pointer: error.instancePath, message: `missing required field "${String(params['missingProperty'])}"` };
  if (error.keyword === 'enum') return { pointer: error.instancePath, message: `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  const where = error.instancePath === '' ? 'spec' : `"${error.instancePath}"`;
  return { pointer: error.instancePath, message: `${where} ${error.message ?? 'is invalid'}` };
}

/** Keeps the most useful ajv errors: `oneOf`/`anyOf` summaries are dropped when a branch error says more. */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    if ((error.keyword === 'oneOf' || error.keyword === 'anyOf') && errors.length > 1) {
      const branchRequired = errors.filter((other) => other.keyword === 'required' && other.instancePath === error.instancePath);
      if (branchRequired.length > 0 && branchRequired.length === errors.length - 1) return true;
    }
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ValidateOptions {
  kinds: readonly KindDescriptor[];
}

/** Runs every check over every file and returns all problems at once. */
export function validateSpecs(files: readonly SourceFile[], options: ValidateOptions): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  const kindByName = new Map(options.kinds.map((kind) => [kind.name, kind]));
  const candidates: Candidate[] = [];
  const filesWithErrors = new Set<SourceFile>();
  const report = (source: SourceFile, diagnostic: Omit<Diagnostic, 'file' | 'severity'> & { severity?: Diagnostic['severity'] }) => {
    const full: Diagnostic = { severity: 'error', file: source.file, ...diagnostic };
    if (full.severity === 'error') filesWithErrors.add(source);
    diagnostics.push(positioned(full, source));
  };

  // 1. YAML → JSON values; 2. each kind's schema; 3. ids.
  for (const source of files) {
    const kind = kindByName.get(source.kind);
    if (!kind) throw new TypeError(`file ${source.file} has unknown kind ${source.kind}`);
    const parsed = parseYamlSpec(source.bytes, source.file);
    for (const diagnostic of parsed.diagnostics) {
      if (diagnostic.severity === 'error') filesWithErrors.add(source);
      diagnostics.push(diagnostic);
    }
    if (parsed.value === undefined || !isJsonObject(parsed.value)) continue;
    const candidate: Candidate = { source, kind, value: parsed.value };
    const validate = kindValidator(kind);
    if (!validate(parsed.value)) {
      for (const error of usefulErrors(validate.errors ?? [])) {
        const { pointer, message } = describeAjvError(error);
        report(source, { code: 'SPEC_INVALID', pointer, message: `${kind.name}: ${message}` });
      }
    }
    const id = parsed.value['id'];
    if (typeof id === 'string') {
      const ref = parseSpecId(id);
      if (!ref) {
        report(source, { code: 'ID_INVALID', pointer: '/id', message: `"${id}" is not a valid id: expected name@version (see docs/specs.md#ids)` });
      } else {
        candidate.id = id;
        candidate.name = ref.name;
        candidate.version = ref.version.text;
      }
    }
    candidates.push(candidate);
  }

  // 4. Unique ids; one kind per name.
  const byId = new Map<string, Candidate>();
  const kindOfName = new Map<string, Candidate>();
  for (const candidate of candidates) {
    if (candidate.id === undefined) continue;
    const first = byId.get(candidate.id);
    if (first) {
      report(candidate.source, {
        code: 'DUPLICATE_ID',
        pointer: '/id',
        ref: candidate.id,
        message: `${candidate.id} is also defined in ${first.source.file}`,
        related: [positionedLocation(first.source, '/id')],
      });
      continue;
    }
    byId.set(candidate.id, candidate);
    const sameName = kindOfName.get(candidate.name!);
    if (sameName && sameName.kind !== candidate.kind) {
      report(candidate.source, {
        code: 'NAME_KIND_CONFLICT',
        pointer: '/id',
        ref: candidate.id,
        message: `name "${candidate.name}" is a ${sameName.kind.name} in ${sameName.source.file} and a ${candidate.kind.name} here: a name belongs to one kind`,
        related: [positionedLocation(sameName.source, '/id')],
      });
    } else if (!sameName) {
      kindOfName.set(candidate.name!, candidate);
    }
  }

  // 5. Embedded schemas compile; references resolve, to the right kind, with valid payloads.
  const schemaSpecs = new Map<string, JsonValue>();
  for (const [id, candidate] of byId) {
    const pointer = candidate.kind.referenceableSchema;
    if (pointer === undefined) continue;
    const schema = getAtPointer(candidate.value, pointer);
    if (schema !== undefined) schemaSpecs.set(id, schema);
  }
  const compiler = new SchemaCompiler(schemaSpecs);
  const resolveTarget = (source: SourceFile, pointer: string, text: JsonValue, allowed: readonly string[]): Candidate | undefined => {
    if (typeof text !== 'string') return undefined; // the kind schema reported the type
    const ref = parseRef(text);
    if (!ref) {
      report(source, { code: 'REF_INVALID', pointer, message: `"${text}" is not a reference: expected name@version` });
      return undefined;
    }
    if (!ref.version) {
      report(source, { code: 'REF_NOT_EXACT', pointer, ref: text, message: `"${text}" has no version: references between specs must be exact (name@version)` });
      return undefined;
    }
    const target = byId.get(text);
    if (!target) {
      const known = [...byId.keys()].filter((id) => id.startsWith(`${ref.name}@`));
      const hint = known.length > 0 ? ` (the registry has ${known.join(', ')})` : '';
      report(source, { code: 'REF_NOT_FOUND', pointer, ref: text, message: `${text} is not defined in this registry${hint}` });
      return undefined;
    }
    if (!allowed.includes(target.kind.name)) {
      report(source, { code: 'REF_WRONG_KIND', pointer, ref: text, message: `${text} is a ${target.kind.name}; expected ${allowed.join(' or ')}` });
      return undefined;
    }
    return target;
  };

  for (const candidate of candidates) {
    if (candidate.id === undefined || byId.get(candidate.id) !== candidate) continue;
    const { source, kind, value } = candidate;
    for (const pattern of kind.embeddedSchemas) {
      for (const match of matchPointerPattern(value, pattern)) {
        for (const ref of findSchemaSpecRefs(match.value)) {
          resolveTarget(source, `${match.pointer}${ref.pointer}`, ref.ref, ['schema']);
        }
        for (const problem of compiler.check(match.value)) {
          report(source, { code: problem.code, pointer: `${match.pointer}${problem.pointer}`, message: `schema ${problem.message}` });
        }
      }
    }
    for (const field of kind.references) {
      for (const match of matchPointerPattern(value, field.path)) {
        const target = resolveTarget(source, match.pointer, match.value, field.kinds);
        if (!target || !field.payload) continue;
        const schema = getAtPointer(target.value, field.payload.schemaPointer);
        if (schema === undefined) continue;
        const compiled = compiler.compile(embeddedSchemaKey(target.id!, field.payload.schemaPointer), schema);
        if (!compiled.validate) continue; // reported on the target's own file
        const parentPointer = match.pointer.slice(0, match.pointer.lastIndexOf('/'));
        const payloadPointer = `${parentPointer}/${field.payload.sibling}`;
        const payload = getAtPointer(value, payloadPointer) ?? {};
        if (!compiled.validate(payload)) {
          for (const error of compiled.validate.errors ?? []) {
            const { pointer, message } = describeAjvError(error);
            report(source, { code: 'ARGS_INVALID', pointer: `${payloadPointer}${pointer}`, ref: target.id!, message: `${field.payload.sibling} for ${target.id}: ${message}` });
          }
        }
      }
    }
    for (const finding of kind.check?.(value) ?? []) {
      report(source, { code: finding.code, pointer: finding.pointer, message: finding.message, severity: finding.severity ?? 'error' });
    }
  }

  // 6. Canonical form and digest of every spec whose file is clean.
  const specs: ValidatedSpec[] = [];
  for (const candidate of candidates) {
    if (filesWithErrors.has(candidate.source) || candidate.id === undefined) continue;
    const { digest, text } = digestValue(candidate.value);
    specs.push({
      file: candidate.source.file,
      path: candidate.source.path,
      kind: candidate.kind.name,
      id: candidate.id,
      name: candidate.name!,
      version: candidate.version!,
      value: candidate.value,
      digest,
      text,
    });
  }
  const ok = !diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  return { specs, diagnostics: sortDiagnostics(diagnostics), ok };
}

/** The key (and `$id`) a schema embedded in a spec compiles under; `#` cannot appear in an `$id`. */
function embeddedSchemaKey(id: string, pointer: string): string {
  return `${id}/embedded${pointer}`;
}

/** Fills line and column from the pointer; a pointer to something absent (a missing field) uses its nearest parent. */
function positioned(diagnostic: Diagnostic, source: SourceFile): Diagnostic {
  if (diagnostic.line !== undefined || diagnostic.pointer === undefined) return diagnostic;
  let pointer = diagnostic.pointer;
  for (;;) {
    const position = locatePointer(source.bytes, pointer);
    if (position) return { ...diagnostic, line: position.line, column: position.column };
    if (pointer === '') return diagnostic;
    pointer = pointer.slice(0, pointer.lastIndexOf('/'));
  }
}

function positionedLocation(source: SourceFile, pointer: string): { file: string; line?: number; column?: number } {
  const position = locatePointer(source.bytes, pointer);
  return position ? { file: source.file, line: position.line, column: position.column } : { file: source.file };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort((a, b) => {
      const fileA = a.diagnostic.file ?? '';
      const fileB = b.diagnostic.file ?? '';
      if (fileA !== fileB) return fileA < fileB ? -1 : 1;
      return (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) || (a.diagnostic.column ?? 0) - (b.diagnostic.column ?? 0) || a.index - b.index;
    })
    .map(({ diagnostic }) => diagnostic);
}
