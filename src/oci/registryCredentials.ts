// Where a registry's credentials come from, in docker's order: SPEC_REGISTRY_USERNAME/PASSWORD, then the docker config
// (`credHelpers`, `credsStore` through `docker-credential-<name> get`, then `auths`). The environment is passed in.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../errors.js';
import type { RegistryCredentials } from './registryAuth.js';

export interface CredentialsLookupOptions {
  /** The environment to read: SPEC_REGISTRY_USERNAME, SPEC_REGISTRY_PASSWORD, DOCKER_CONFIG, HOME, PATH. */
  env: Record<string, string | undefined>;
  /** A credential helper's bound (default 10 s). */
  helperTimeoutMs?: number;
}

/** The docker config file this environment names: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigFile(env: Record<string, string | undefined>): string | undefined {
  if (env['DOCKER_CONFIG']) return join(env['DOCKER_CONFIG'], 'config.json');
  return env['HOME'] ? join(env['HOME'], '.docker', 'config.json') : undefined;
}

/**
 * The credentials for `registry` (`host[:port]`), or undefined (anonymous). A config file that cannot be parsed, or a
 * helper that fails other than by having nothing for the host, is OCI_CREDENTIALS_INVALID naming it.
 */
export async function findRegistryCredentials(
  registry: string,
  options: CredentialsLookupOptions,
): Promise<RegistryCredentials | undefined> {
  const { env } = options;
  const username = env['SPEC_REGISTRY_USERNAME'];
  const password = env['SPEC_REGISTRY_PASSWORD'];
  if (username !== undefined && password !== undefined) return { username, password };
  if (username !== undefined || password !== undefined)
    throw new SpecError(
      'OCI_CREDENTIALS_INVALID',
      'SPEC_REGISTRY_USERNAME and SPEC_REGISTRY_PASSWORD go together: set both or neither',
    );
  const file = dockerConfigFile(env);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(file, `it cannot be read (${(cause as Error).message})`, cause);
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch (cause) {
    throw invalid(file, `it is not JSON (${(cause as Error).message})`, cause);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw invalid(file, 'it is not a JSON object');
  const helper = lookup(config.credHelpers, registry) ?? config.credsStore;
  if (typeof helper === 'string' && helper !== '') {
    const fromHelper = await runCredentialHelper(helper, registry, options);
    if (fromHelper !== undefined) return fromHelper;
  }
  const entry = lookup(config.auths, registry);
  if (entry === undefined) return undefined;
  if (typeof entry !== 'object' || entry === null) throw invalid(file, `auths["${registry}"] is not an object`);
  const fields = entry as Record<string, unknown>;
  if (typeof fields['identitytoken'] === 'string' && fields['identitytoken'] !== '')
    return { identityToken: fields['identitytoken'] };
  if (typeof fields['auth'] === 'string' && fields['auth'] !== '') {
    const decoded = Buffer.from(fields['auth'], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid(file, `auths["${registry}"].auth is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof fields['username'] === 'string' && typeof fields['password'] === 'string')
    return { username: fields['username'], password: fields['password'] };
  return undefined;
}

interface DockerConfig {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
}

/** The entry for a registry, matching keys as docker writes them (`host`, `https://host`, `https://host/v1/`). */
function lookup<T>(map: Record<string, T> | undefined, registry: string): T | undefined {
  if (typeof map !== 'object' || map === null) return undefined;
  if (Object.hasOwn(map, registry)) return map[registry];
  for (const key of Object.keys(map)) {
    const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
    if (host.toLowerCase() === registry.toLowerCase()) return map[key];
  }
  return undefined;
}

const maxHelperOutput = 64 * 1024;

/** `docker-credential-<name> get` with the host on stdin; undefined when it has nothing for the host. */
function runCredentialHelper(
  name: string,
  registry: string,
  options: CredentialsLookupOptions,
): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${name}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return Promise.reject(
      new SpecError('OCI_CREDENTIALS_INVALID', `${JSON.stringify(name)} is not a credential helper name`),
    );
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], {
      env: { PATH: options.env['PATH'] ?? '', HOME: options.env['HOME'] ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.helperTimeoutMs ?? 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < maxHelperOutput) stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(
        new SpecError('OCI_CREDENTIALS_INVALID', `the credential helper ${program} cannot be run: ${cause.message}`, {
          data: { helper: program },
          cause,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Helpers say "credentials not found" with exit 1 when they have nothing for the host.
      if (code !== 0 && /not found/i.test(stdout + stderr)) return resolve(undefined);
      if (code !== 0)
        return reject(
          new SpecError(
            'OCI_CREDENTIALS_INVALID',
            `the credential helper ${program} failed (${signal ?? `exit ${code}`}): ${(stderr || stdout).trim().slice(0, 300)}`,
            { data: { helper: program } },
          ),
        );
      let answer: { Username?: unknown; Secret?: unknown };
      try {
        answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
      } catch {
        return reject(
          new SpecError('OCI_CREDENTIALS_INVALID', `the credential helper ${program} did not answer JSON`, {
            data: { helper: program },
          }),
        );
      }
      if (typeof answer.Secret !== 'string' || answer.Secret === '') return resolve(undefined);
      resolve(
        answer.Username === '<token>' || typeof answer.Username !== 'string'
          ? { identityToken: answer.Secret }
          : { username: answer.Username, password: answer.Secret },
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(registry);
  });
}

function invalid(file: string, reason: string, cause?: unknown): SpecError {
  return new SpecError('OCI_CREDENTIALS_INVALID', `the docker config ${file} is refused: ${reason}`, {
    data: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}
