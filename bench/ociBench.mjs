// The remote figures of `npm run bench` (docs/oci.md): push and pull of the workload's snapshot through a real registry
// on loopback, side by side with curl uploading the same bytes as one blob.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerRegistryBinary, startDockerRegistry } from './dockerRegistry.mjs';

/**
 * @param {object} bench what bench.mjs lends: its work dir, registry, store and snapshot, and its helpers
 */
export async function benchRemotes(bench) {
  const { work, registry, store, snapshot, row, spec, mutateTools, ageTree, median, seconds, runs } = bench;
  if (!dockerRegistryBinary) {
    row('remotes', 'n/a (docker-registry is not installed: see README, Development)', '');
    return;
  }
  const { DistributionClient } = await import('../dist/oci/distributionClient.js');
  const { pushSnapshot } = await import('../dist/oci/pushSnapshot.js');
  const { pullSnapshot } = await import('../dist/oci/pullSnapshot.js');
  const { openStore } = await import('../dist/store/openStore.js');
  const oci = await startDockerRegistry();
  const host = new URL(oci.url).host;
  /** A client that counts requests and the bytes it sends. */
  const counting = () => {
    const counts = { requests: 0, bytesSent: 0 };
    const fetcher = (input, init) => {
      counts.requests++;
      counts.bytesSent += init?.body?.length ?? 0;
      return fetch(input, init);
    };
    return { client: new DistributionClient({ baseUrl: oci.url, fetch: fetcher }), counts };
  };
  try {
    // First push, each run to a repository of its own (so nothing is there yet), against curl sending the same bytes.
    const pushes = [];
    let first;
    for (let run = 0; run < runs; run++) {
      const result = spec([
        'push',
        snapshot,
        `oci://${host}/bench/first${run}`,
        '--tag',
        'prod',
        '--store',
        store,
        '--json',
      ]);
      pushes.push(result.ms);
      first = JSON.parse(result.stdout);
    }
    const blobFile = join(work, 'one-blob');
    const reader = new DistributionClient({ baseUrl: oci.url });
    const manifest = await reader.getManifest('bench/first0', 'prod');
    const layers = JSON.parse(Buffer.from(manifest.bytes).toString()).layers;
    const parts = [];
    for (const layer of layers) parts.push(await reader.getBlob('bench/first0', layer.digest));
    const bytes = Buffer.concat(parts);
    writeFileSync(blobFile, bytes);
    const digest = `sha256:${execFileSync('sha256sum', [blobFile], { encoding: 'utf8' }).split(' ')[0]}`;
    const curls = [];
    for (let run = 0; run < runs; run++) {
      const started = process.hrtime.bigint();
      const location = execFileSync(
        'curl',
        [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%header{location}',
          '-X',
          'POST',
          `${oci.url}/v2/bench/curl${run}/blobs/uploads/`,
        ],
        { encoding: 'utf8' },
      ).trim();
      const target = new URL(location, oci.url);
      target.searchParams.set('digest', digest);
      execFileSync('curl', [
        '-sS',
        '-f',
        '-o',
        '/dev/null',
        '-X',
        'PUT',
        '-H',
        'content-type: application/octet-stream',
        '--data-binary',
        `@${blobFile}`,
        target.href,
      ]);
      curls.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const push = median(pushes);
    const curl = median(curls);
    row(
      `first push of the snapshot to a loopback registry (${(bytes.length / 1024).toFixed(0)} KiB in ${layers.length} layers, wall with process start)`,
      seconds(push),
      '≤ 2 s and ≤ 1.5× curl',
      `curl, the same bytes as one blob: ${seconds(curl)}`,
      `${(push / curl).toFixed(2)}×`,
    );

    // Cold pull into an empty store, then a pull of what is already there.
    const pulls = [];
    for (let run = 0; run < runs; run++) {
      const empty = join(work, `store-pull-${run}`);
      rmSync(empty, { recursive: true, force: true });
      pulls.push(spec(['pull', `oci://${host}/bench/first${run}:prod`, '--store', empty]).ms);
    }
    row(
      `cold pull of the snapshot into an empty store (${first.uploadedBytes} bytes, wall)`,
      seconds(median(pulls)),
      '≤ 2 s',
    );
    const present = await openStore({ directory: join(work, 'store-pull-0') });
    try {
      const { client, counts } = counting();
      await pullSnapshot(present, { client, repository: 'bench/first0', tag: 'prod' });
      row('pull of a snapshot already present', `${counts.requests} request(s)`, 'one manifest request');
    } finally {
      await present.close();
    }
    // A 1% change: push it over the first push's tag and count what it sends.
    const changedRegistry = join(work, 'registry-oci');
    rmSync(changedRegistry, { recursive: true, force: true });
    cpSync(registry, changedRegistry, { recursive: true });
    ageTree(changedRegistry);
    const changed = mutateTools(changedRegistry, 0.01, 5);
    const next = JSON.parse(spec(['build', '--registry', changedRegistry, '--store', store, '--json']).stdout).snapshot;
    const opened = await openStore({ directory: store });
    let delta;
    let counted;
    try {
      const { client, counts } = counting();
      delta = await pushSnapshot(opened, next, { client, repository: 'bench/first0', tags: ['prod'] });
      counted = counts;
    } finally {
      await opened.close();
    }
    const deltaManifest = JSON.parse(Buffer.from((await reader.getManifest('bench/first0', 'prod')).bytes).toString());
    const deltaPack = deltaManifest.layers.at(-1);
    const changedBytes = Number(deltaPack.annotations['dev.specstore.pack.raw-bytes']);
    row(
      `push after a 1% change (${changed} specs; ${(changedBytes / 1024).toFixed(0)} KiB of changed objects)`,
      `${counted.requests} requests, ${(counted.bytesSent / 1024).toFixed(0)} KiB sent (${(counted.bytesSent / changedBytes).toFixed(2)}× the changed objects), ${delta.reusedPacks} packs reused`,
      '≤ 15 requests, ≤ 3× the changed bytes',
    );
  } finally {
    await oci.stop();
  }
}
