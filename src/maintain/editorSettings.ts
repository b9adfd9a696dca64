// `spec init --editor vscode`: the kind schemas written for editors, mapped onto the registry's kind folders in the
// VS Code YAML extension's `yaml.schemas` setting (.vscode/settings.json), merged into what the file already holds.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { writeKindSchemas } from '../build/writeKindSchemas.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import { outputError, stageOutputFile } from '../plan/outputFile.js';
import { shownPath } from '../source/shownPath.js';

export type EditorName = 'vscode';

/** The editors `setUpEditor` can set up. */
export const editorNames: readonly EditorName[] = ['vscode'];

export interface SetUpEditorOptions {
  /** The workspace folder: `.vscode/` goes here, and the settings' paths are relative to it. */
  root: string;
  /** The registry folder (default `ROOT/registry`). */
  registry?: string;
  /** Where the kind schemas are written (default `ROOT/.spec/schemas`, beside the store, ignored by git). */
  schemas?: string;
  /** Relative paths are resolved and files shown from here (default: the process's working directory). */
  cwd?: string;
}

export interface EditorSchemaMapping {
  kind: string;
  /** The schema file, as the settings name it (relative to the workspace: `./.spec/schemas/tool.schema.json`). */
  schema: string;
  /** The files it applies to (`registry/tools/**\/*.yaml`, `.yml`). */
  files: string[];
}

export interface SetUpEditorResult {
  editor: EditorName;
  /** The settings file, as shown. */
  settings: string;
  /** The schema folder, as shown. */
  schemas: string;
  mappings: EditorSchemaMapping[];
  /** False when the settings already held exactly this mapping (the file was not rewritten). */
  changed: boolean;
}

const settingKey = 'yaml.schemas';

/** The checks `setUpEditor` makes before writing, alone: a caller about to write other files first calls this. */
export function checkEditorSettings(editor: EditorName, options: SetUpEditorOptions): void {
  const cwd = options.cwd ?? process.cwd();
  const settingsPath = join(resolve(cwd, options.root), '.vscode', 'settings.json');
  knownEditor(editor);
  readSettings(settingsPath, shownPath(cwd, settingsPath));
}

function knownEditor(editor: EditorName): void {
  if (!editorNames.includes(editor))
    throw new SpecError('USAGE', `unknown editor "${String(editor)}": one of ${editorNames.join(', ')}`, {
      data: { editor },
    });
}

/**
 * Writes the schema of every kind (as `spec schemas` does) and maps each onto its kind folder in
 * `ROOT/.vscode/settings.json`, keeping every other setting and every other `yaml.schemas` entry. The settings are
 * read and checked before anything is written: a file that is not a JSON object, whose `yaml.schemas` is not an
 * object, or that holds comments or trailing commas (JSONC, which a rewrite would lose) is EDITOR_SETTINGS_UNMERGEABLE,
 * naming the line and column; nothing is written then.
 */
export async function setUpEditor(editor: EditorName, options: SetUpEditorOptions): Promise<SetUpEditorResult> {
  knownEditor(editor);
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, options.root);
  const registry = resolve(root, options.registry ?? 'registry');
  const schemas = resolve(root, options.schemas ?? join('.spec', 'schemas'));
  const settingsPath = join(root, '.vscode', 'settings.json');
  const shownSettings = shownPath(cwd, settingsPath);
  const current = readSettings(settingsPath, shownSettings);

  const written = await writeKindSchemas({ registry, output: schemas, cwd });
  const mappings = written.schemas.map((schema) => ({
    kind: schema.kind,
    schema: workspacePath(root, schema.path, './'),
    files: ['yaml', 'yml'].map((extension) =>
      workspacePath(root, join(registry, schema.directory, '**', `*.${extension}`), ''),
    ),
  }));
  const ours = Object.fromEntries(mappings.map((mapping) => [mapping.schema, mapping.files]));
  const before = current?.[settingKey];
  const merged = { ...(before as JsonObject | undefined), ...ours };
  const changed = before === undefined || JSON.stringify(merged) !== JSON.stringify(before);
  if (changed) {
    const next: JsonObject = { ...current, [settingKey]: merged };
    try {
      mkdirSync(join(root, '.vscode'), { recursive: true });
    } catch (cause) {
      throw outputError(cause, shownSettings);
    }
    stageOutputFile(settingsPath, shownSettings, `${JSON.stringify(next, null, 2)}\n`).commit();
  }
  return { editor, settings: shownSettings, schemas: shownPath(cwd, schemas), mappings, changed };
}

/** A path under the workspace as VS Code's settings take it: forward slashes, relative to the workspace folder. */
function workspacePath(root: string, path: string, prefix: string): string {
  const inside = relative(root, path).split(sep).join('/');
  return inside.startsWith('../') ? inside : `${prefix}${inside}`;
}

/** The settings as an object (undefined when there is no file), or EDITOR_SETTINGS_UNMERGEABLE. */
function readSettings(path: string, shown: string): JsonObject | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw outputError(cause, shown);
  }
  if (text.trim() === '') return {};
  const jsonc = findJsoncSyntax(text);
  if (jsonc !== undefined)
    throw unmergeable(
      shown,
      text,
      jsonc.offset,
      `has ${jsonc.what} (JSONC): rewriting it would lose them, so add the "${settingKey}" entries yourself`,
    );
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (cause) {
    const at = /position (\d+)/.exec((cause as Error).message);
    throw unmergeable(shown, text, at ? Number(at[1]) : 0, `is not JSON: ${(cause as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw unmergeable(shown, text, 0, 'is not a JSON object');
  const schemas = value[settingKey];
  if (schemas !== undefined && (typeof schemas !== 'object' || schemas === null || Array.isArray(schemas)))
    throw unmergeable(
      shown,
      text,
      Math.max(0, text.indexOf(`"${settingKey}"`)),
      `has a "${settingKey}" that is not an object`,
    );
  return value;
}

function unmergeable(shown: string, text: string, offset: number, why: string): SpecError {
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  return new SpecError('EDITOR_SETTINGS_UNMERGEABLE', `${shown}:${line}:${column} ${why}; nothing was written`, {
    data: { file: shown, line, column },
  });
}

/** The first comment or trailing comma outside a string, if any (what JSON.parse refuses and VS Code accepts). */
function findJsoncSyntax(text: string): { offset: number; what: string } | undefined {
  let lastComma = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      for (index++; index < text.length && text[index] !== '"'; index++) if (text[index] === '\\') index++;
      lastComma = -1;
    } else if (char === '/' && (text[index + 1] === '/' || text[index + 1] === '*')) {
      return { offset: index, what: 'comments' };
    } else if (char === ',') {
      lastComma = index;
    } else if ((char === '}' || char === ']') && lastComma !== -1) {
      return { offset: lastComma, what: 'trailing commas' };
    } else if (!/\s/.test(char)) {
      lastComma = -1;
    }
  }
  return undefined;
}
