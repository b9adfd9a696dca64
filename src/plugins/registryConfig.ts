// `specstore.yaml` at a registry's root: the registry-wide settings, read with the safe YAML reader and a JSON Schema.
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import type { JsonObject } from '../core/json.js';
import { invalidInput, SpecError, type Diagnostic } from '../errors.js';
import { locatePointer, parseYamlSpec } from '../source/parseYamlSpec.js';
import { createKindAjv } from '../validate/ajvInstances.js';

/** What `specstore.yaml` holds. Later registry-wide settings join `plugins` here. */
export interface RegistryConfig {
  /** The file it was read from, as shown in messages. */
  file: string;
  /** npm packages whose specs (and kinds) the registry includes, in the order given. */
  plugins: RegistryConfigPlugin[];
  /** `lint:`: severities by rule id (`off`, `warning`, `error`) and the declared capability names (spec lint). */
  lint: { rules: Record<string, 'off' | 'warning' | 'error'>; capabilities?: string[] };
  /** Where a pointer's value is written in the file (re-reads it: for messages only). */
  locate(pointer: string): { line?: number; column?: number };
}

/** One entry of `plugins:`: the package name and its pointer in the file (`/plugins/0`). */
export interface RegistryConfigPlugin {
  name: string;
  pointer: string;
}

/** npm's rule for package names (lower case, URL-safe, an optional `@scope/`): a name cannot lead out of node_modules. */
export const npmPackageNamePattern = '^(?:@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$';

export const registryConfigSchema: JsonObject = {
  type: 'object',
  properties: {
    plugins: {
      type: 'array',
      items: { type: 'string', pattern: npmPackageNamePattern, maxLength: 214 },
      uniqueItems: true,
    },
    lint: {
      type: 'object',
      properties: {
        rules: {
          type: 'object',
          additionalProperties: { enum: ['off', 'warning', 'error'] },
        },
        capabilities: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      },
      additionalProperties: false,
    },
  },
  patternProperties: { '^x-': true },
  additionalProperties: false,
};

/**
 * The registry configuration at `path` (a `specstore.yaml`), or undefined when there is no such file. A file with
 * problems is INVALID_INPUT with every one (`REGISTRY_CONFIG_INVALID`, or the YAML reader's codes) at file:line:col;
 * `shown` is the file's name in messages (default: its path).
 */
export function readRegistryConfig(path: string, shown?: string): RegistryConfig | undefined {
  const file = shown ?? path;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const errno = (cause as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw new SpecError('FILE_UNREADABLE', `cannot read ${file}: ${(cause as Error).message}`, {
      data: { file },
      cause,
    });
  }
  return parseRegistryConfig(bytes, file);
}

/** `specstore.yaml`'s bytes as a configuration (see readRegistryConfig). */
export function parseRegistryConfig(bytes: Uint8Array, file: string): RegistryConfig {
  const outcome = `${file} is not a valid registry configuration; nothing was built`;
  const parsed = parseYamlSpec(bytes, file);
  if (parsed.value === undefined) throw invalidInput(parsed.diagnostics, outcome, { file });
  registryConfigValidator ??= createKindAjv().compile(registryConfigSchema);
  if (!registryConfigValidator(parsed.value)) {
    const diagnostics = (registryConfigValidator.errors ?? []).map((error): Diagnostic => {
      const { pointer, message } = describeConfigError(error);
      return {
        code: 'REGISTRY_CONFIG_INVALID',
        severity: 'error',
        message,
        file,
        pointer,
        ...locatePointer(bytes, pointer),
      };
    });
    throw invalidInput(diagnostics, outcome, { file });
  }
  const value = parsed.value as {
    plugins?: string[];
    lint?: { rules?: Record<string, 'off' | 'warning' | 'error'>; capabilities?: string[] };
  };
  return {
    file,
    plugins: (value.plugins ?? []).map((name, index) => ({ name, pointer: `/plugins/${index}` })),
    lint: {
      rules: value.lint?.rules ?? {},
      ...(value.lint?.capabilities === undefined ? {} : { capabilities: value.lint.capabilities }),
    },
    locate: (pointer) => locatePointer(bytes, pointer) ?? {},
  };
}

let registryConfigValidator: ReturnType<ReturnType<typeof createKindAjv>['compile']> | undefined;

function describeConfigError(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  const where = error.instancePath || 'the configuration';
  if (error.keyword === 'additionalProperties') {
    const key = String(params['additionalProperty']);
    return {
      pointer: `${error.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      message: `unknown key "${key}" in ${where} (the keys are: ${error.instancePath === '/lint' ? 'rules, capabilities' : 'plugins, lint'})`,
    };
  }
  if (error.keyword === 'enum')
    return { pointer: error.instancePath, message: `${where} is not a lint severity (off, warning or error)` };
  if (error.keyword === 'pattern')
    return { pointer: error.instancePath, message: `${where} is not an npm package name (such as @acme/media-tools)` };
  if (error.keyword === 'uniqueItems') {
    const [earlier, later] = [Number(params['i']), Number(params['j'])].sort((a, b) => a - b);
    return {
      pointer: `${error.instancePath}/${later}`,
      message: `${where} names the same package twice (items ${earlier} and ${later})`,
    };
  }
  return { pointer: error.instancePath, message: `${where} ${error.message ?? 'is invalid'}` };
}
