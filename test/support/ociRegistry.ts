// A real OCI registry for a test suite: Debian's docker-registry (CNCF distribution), on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the binary is: `$SPECSTORE_DOCKER_REGISTRY`, else the Debian package's path (.ci/run extracts it there). */
export const dockerRegistryBinary = [
  process.env['SPECSTORE_DOCKER_REGISTRY'],
  '/opt/docker-registry/usr/bin/docker-registry',
  '/usr/bin/docker-registry',
].find((path): path is string => path !== undefined && existsSync(path));

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
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

/** Starts a registry with filesystem storage in a fresh temp dir; resolves once `GET /v2/` answers (bounded wait). */
export async function startRegistry(): Promise<RunningRegistry> {
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
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(dockerRegistryBinary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
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
      if (response.status === 200) return { url, stop };
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
