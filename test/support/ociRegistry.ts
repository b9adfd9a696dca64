// A real OCI registry for a test suite: Debian's docker-registry (CNCF distribution), on a free loopback port. The
// starter itself is bench/dockerRegistry.mjs, shared with the benchmark.
import { spawnSync } from 'node:child_process';
import { dockerRegistryBinary, freePort, startDockerRegistry } from '../../bench/dockerRegistry.mjs';

export { dockerRegistryBinary, freePort };

/**
 * node:test's `skip` for a test that needs the registry: false when the binary is there, else a message. Under CI=true
 * (where .ci/run installs it) its absence throws, so the suite fails instead of skipping.
 */
export function skipWithoutDockerRegistry(): string | false {
  if (dockerRegistryBinary) return false;
  const message =
    'docker-registry is not installed (apt-get download docker-registry && dpkg-deb -x docker-registry_*.deb /opt/docker-registry)';
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI=true: failing instead of skipping`);
  return message;
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Its temporary directory (config, storage, and whatever the auth lines put there). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a registry with filesystem storage in a fresh temp dir; resolves once `GET /v2/` answers (bounded wait).
 * `configLines(dir)` adds lines to its config.yml, such as an `auth:` section.
 */
export function startRegistry(options: { configLines?: (dir: string) => string[] } = {}): Promise<RunningRegistry> {
  return startDockerRegistry(options);
}

/** `skip` for tests that need `htpasswd` (apache2-utils) to make bcrypt entries; under CI=true its absence throws. */
export function skipWithoutHtpasswd(): string | false {
  const missing = skipWithoutDockerRegistry();
  if (missing) return missing;
  if (spawnSync('htpasswd', ['-h']).error === undefined) return false;
  const message = 'htpasswd is not installed (apt-get install apache2-utils)';
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI=true: failing instead of skipping`);
  return message;
}
