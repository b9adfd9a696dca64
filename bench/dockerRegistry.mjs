// Starts Debian's docker-registry (CNCF distribution) on a free loopback port with filesystem storage in a temp dir:
// the one starter of the real registry, for the tests (test/support/ociRegistry.ts) and the benchmark.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the binary is: `$SPECSTORE_DOCKER_REGISTRY`, else the Debian package's path (.ci/run extracts it there). */
export const dockerRegistryBinary = [
  process.env['SPECSTORE_DOCKER_REGISTRY'],
  '/opt/docker-registry/usr/bin/docker-registry',
  '/usr/bin/docker-registry',
].find((path) => path !== undefined && existsSync(path));

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts a registry; resolves once `GET /v2/` answers (bounded wait) to `{url, dir, stop}`. `configLines(dir)` adds
 * YAML lines to its config (an `auth:` section, say); such a registry answers /v2/ with 401, which counts as up.
 * @param {{ configLines?: (dir: string) => string[] }} [options]
 * @returns {Promise<{ url: string, dir: string, stop: () => Promise<void> }>}
 */
export async function startDockerRegistry(options = {}) {
  if (!dockerRegistryBinary) throw new Error('docker-registry is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'specstore-oci-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(options.configLines?.(dir) ?? []),
      '',
    ].join('\n'),
  );
  const child = spawn(dockerRegistryBinary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    }
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) return { url, dir, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url} within 10 s: ${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 25));
  }
}
