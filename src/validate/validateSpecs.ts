// Validates a registry's files: each file alone (analyzeSpecFile), then across files (linkSpecs). Never prints.
import type { Digest } from '../core/digest.js';
import { parseJsonText, type JsonObject } from '../core/json.js';
import type { Diagnostic } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { analyzeSpecFile, positionDiagnostic, type FileAnalysis, type SpecSource } from './analyzeSpecFile.js';
import { linkSpecs, type LinkOptions } from './linkSpecs.js';

/** A spec that passed every check, with its canonical text and digest. */
export interface ValidatedSpec {
  file: string;
  path: string;
  kind: string;
  id: string;
  name: string;
  version: string;
  digest: Digest;
  /** Canonical JSON text (what is stored under `digest`). */
  text: string;
}

export interface ValidationResult {
  specs: ValidatedSpec[];
  /** Payload keys found valid, by file path (see linkSpecs). */
  validPayloads: Map<string, string[]>;
  /** Errors and warnings, positioned (file, line, column, pointer), in file order. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface ValidateOptions {
  kinds: readonly KindDescriptor[];
}

/** Runs every check over every file and returns all problems at once. */
export function validateSpecs(files: readonly SpecSource[], options: ValidateOptions): ValidationResult {
  const kindByName = new Map(options.kinds.map((kind) => [kind.name, kind]));
  const bytesByPath = new Map(files.map((file) => [file.path, file.bytes]));
  const analyses = files.map((file) => {
    const kind = kindByName.get(file.kind);
    if (!kind) throw new TypeError(`file ${file.file} has unknown kind ${file.kind}`);
    return analyzeSpecFile(file, kind);
  });
  return finishValidation(analyses, {
    kinds: options.kinds,
    valueOf: parsedValueOf,
    bytesOf: (analysis) => bytesByPath.get(analysis.path)!,
  });
}

const parsedValues = new WeakMap<FileAnalysis, JsonObject>();

/** The document of an analysed spec, parsed once from its canonical text. */
export function parsedValueOf(analysis: FileAnalysis): JsonObject {
  let value = parsedValues.get(analysis);
  if (!value) {
    value = parseJsonText(analysis.spec!.text) as JsonObject;
    parsedValues.set(analysis, value);
  }
  return value;
}

/** Links analysed files and turns the whole into a result: specs when clean, every diagnostic sorted by position. */
export function finishValidation(
  analyses: readonly FileAnalysis[],
  options: {
    kinds: readonly KindDescriptor[];
    valueOf: (analysis: FileAnalysis) => JsonObject;
    bytesOf: (analysis: FileAnalysis) => Uint8Array;
    validPayloads?: ReadonlySet<string>;
    originOf?: LinkOptions['originOf'];
    targets?: LinkOptions['targets'];
    linked?: LinkOptions['linked'];
  },
): ValidationResult {
  const link = linkSpecs(analyses, {
    kinds: options.kinds,
    valueOf: options.valueOf,
    ...(options.validPayloads ? { validPayloads: options.validPayloads } : {}),
    ...(options.originOf ? { originOf: options.originOf } : {}),
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.linked ? { linked: options.linked } : {}),
    locate: (analysis, pointer) => {
      const positioned = positionDiagnostic(
        { code: '', message: '', severity: 'error', file: analysis.file, pointer },
        options.bytesOf(analysis),
      );
      return {
        file: analysis.file,
        ...(positioned.line === undefined ? {} : { line: positioned.line, column: positioned.column! }),
      };
    },
  });
  const found: Diagnostic[] = [];
  for (const analysis of analyses) for (const diagnostic of analysis.diagnostics) found.push(diagnostic);
  const diagnostics = sortDiagnostics([...found, ...link.diagnostics]);
  const filesWithErrors = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  const specs: ValidatedSpec[] = [];
  for (const analysis of analyses) {
    if (!analysis.spec || (filesWithErrors.size > 0 && filesWithErrors.has(analysis.file))) continue;
    const { id, name, version, digest, text } = analysis.spec;
    specs.push({ file: analysis.file, path: analysis.path, kind: analysis.kind, id, name, version, digest, text });
  }
  return { specs, validPayloads: link.validPayloads, diagnostics, ok: filesWithErrors.size === 0 };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort((a, b) => {
      const fileA = a.diagnostic.file ?? '';
      const fileB = b.diagnostic.file ?? '';
      if (fileA !== fileB) return fileA < fileB ? -1 : 1;
      return (
        (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) ||
        (a.diagnostic.column ?? 0) - (b.diagnostic.column ?? 0) ||
        a.index - b.index
      );
    })
    .map(({ diagnostic }) => diagnostic);
}
