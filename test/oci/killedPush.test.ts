// A push killed (SIGKILL) at any moment leaves no tag naming an incomplete snapshot, and the next push completes it,
// uploading only the blobs the registry still lacks. Real processes, a real registry, a slowing proxy between them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Digest } from '../../src/core/digest.js';
import { digestTrustedValue } from '../../src/core/digest.js';
import { exportSnapshot } from '../../src/snapshot/exportSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { DistributionClient } from '../../src/oci/distributionClient.js';
import { pullSnapshot } from '../../src/oci/pullSnapshot.js';
import { emptyConfig, snapshotTag } from '../../src/oci/snapshotArtifact.js';
import { writePack } from '../../src/oci/snapshotPack.js';
import { runSpec, specBin, tempDir } from '../support/cli.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';
import { startRegistryProxy, type RegistryProxy } from '../support/registryProxy.js';
import { generateRegistry } from '../../bench/generateRegistry.mjs';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
let proxy: RegistryProxy | undefined;
const work = tempDir('specstore-killed-');
before(async () => {
  if (skip) return;
  registry = await startRegistry();
  // Every request waits a little, so a kill lands between any two of them.
  proxy = await startRegistryProxy(registry.url, () => ({ delayMs: 40 }));
});
after(async () => {
  await proxy?.stop();
  await registry?.stop();
  work.cleanup();
});

const repository = 'acme/killed';

function pushKilledAfter(store: string, id: Digest, ms: number): Promise<NodeJS.Signals | null> {
  const url = `oci://${new URL(proxy!.url).host}/${repository}`;
  const child = spawn(process.execPath, [specBin, 'push', id, url, '--tag', 'prod', '--store', store], {
    stdio: 'ignore',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((done) =>
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      done(signal);
    }),
  );
}

function pushToEnd(store: string, id: Digest): Promise<{ status: number; stdout: string; stderr: string }> {
  const url = `oci://${new URL(proxy!.url).host}/${repository}`;
  const child = spawn(process.execPath, [specBin, 'push', id, url, '--tag', 'prod', '--store', store, '--json']);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((done) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ status: code ?? -1, stdout, stderr });
    }),
  );
}

/** Every tag that exists names a snapshot that pulls completely (into a fresh store, through the library's checks). */
async function assertTagsComplete(id: Digest, round: number): Promise<boolean> {
  const client = new DistributionClient({ baseUrl: registry!.url });
  let tagged = false;
  for (const tag of ['prod', snapshotTag(id)]) {
    if ((await client.getManifest(repository, tag)) === undefined) continue;
    tagged = true;
    const store = await openStore({ directory: join(work.path, `check-${round}-${tag.slice(0, 8)}`), create: true });
    try {
      const pulled = await pullSnapshot(store, { client, repository, tag });
      assert.equal(pulled.snapshot, id, `round ${round}: ${tag} names the snapshot`);
    } finally {
      await store.close();
    }
  }
  return tagged;
}

test(
  'SIGKILL at any moment of a push: no tag on an incomplete snapshot; the next push sends only what is missing',
  { skip },
  async () => {
    const registryDir = join(work.path, 'registry');
    generateRegistry(registryDir, 1500);
    const store = join(work.path, 'store');
    const built = runSpec(['build', '--registry', registryDir, '--store', store]);
    assert.equal(built.status, 0, built.stderr);
    const id = built.stdout.trim() as Digest;

    let killedBeforeTag = 0;
    for (const [round, ms] of [250, 330, 410, 490, 570, 650, 730, 810].entries()) {
      const signal = await pushKilledAfter(store, id, ms);
      const tagged = await assertTagsComplete(id, round);
      if (signal === 'SIGKILL' && !tagged) killedBeforeTag++;
    }
    assert.ok(killedBeforeTag >= 3, `at least 3 pushes were killed before any tag was written (${killedBeforeTag})`);

    // The blobs the snapshot needs, computed from the store the way push computes them.
    const opened = await openStore({ directory: store, readOnly: true });
    const document = await exportSnapshot(opened, id).finally(() => opened.close());
    const objects = Object.values(document.objects).map((value) => digestTrustedValue(value));
    const pack = writePack(objects.filter((object) => object.digest !== id));
    const client = new DistributionClient({ baseUrl: registry!.url });
    const missing: Digest[] = [];
    for (const blob of [emptyConfig.digest, id, pack.digest])
      if (!(await client.hasBlob(repository, blob))) missing.push(blob);

    // Not runSpec: its spawnSync would block this process, and with it the proxy the push talks to.
    const final = await pushToEnd(store, id);
    assert.equal(final.status, 0, final.stderr);
    const result = JSON.parse(final.stdout) as { alreadyPresent: boolean; uploadedBlobs: number };
    if (result.alreadyPresent) assert.equal(missing.length, 0);
    else
      assert.equal(result.uploadedBlobs, missing.length, `uploaded exactly the missing blobs (${missing.join(', ')})`);
    assert.equal(await assertTagsComplete(id, 99), true);
  },
);
