// `spec remote`, `push` and `pull`: snapshots through OCI registries (docs/oci.md).
import { Option, type Command } from 'commander';
import type { CommandContext } from '../run.js';
import { withCommon, examples, withStore } from '../commandHelpers.js';
import { createProgress } from '../progress.js';
import {
  addRemote,
  findRemote,
  listRemotes,
  mountSources,
  parseRemoteReference,
  parseRemoteUrl,
  removeRemote,
} from '../../oci/remotes.js';
import type { RemoteLocation } from '../../oci/remotes.js';
import { remoteClient } from '../../oci/remoteClient.js';
import { pushSnapshot } from '../../oci/pushSnapshot.js';
import { pullSnapshot, pullSpec } from '../../oci/pullSnapshot.js';
import { pullMissingFromRemote } from '../../oci/pullFromRemote.js';
import { listRemoteSnapshots } from '../../oci/listRemoteSnapshots.js';
import { assertValidTagName } from '../../store/specStore.js';
import { tagSnapshot } from '../../snapshot/publishSnapshot.js';
import type { SpecStore } from '../../store/specStore.js';
import type { Digest } from '../../core/digest.js';

const plainHttpOption = () =>
  new Option('--plain-http', 'use http:// for a registry that is not on loopback (loopback hosts always are)');

const collect = (value: string, previous: string[] = []) => [...previous, value];

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerRemoteCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const clientFor = (location: RemoteLocation) => remoteClient(location, { env: io.env });
  const locate = (store: SpecStore, remote: string, plainHttp: boolean | undefined) =>
    findRemote(store, remote, { plainHttp: plainHttp === true });
  /** A remote for a command that needs no store otherwise: an oci:// URL is used without opening one. */
  const locateWithoutStore = (command: Command, remote: string, plainHttp: boolean | undefined) =>
    remote.startsWith('oci://')
      ? Promise.resolve(parseRemoteUrl(remote, { plainHttp: plainHttp === true }))
      : withStore(context, command, 'read', (store) => locate(store, remote, plainHttp));

  const remote = program
    .command('remote')
    .description('save, forget and list OCI remotes, and list what a remote holds');

  examples(
    withCommon(
      remote
        .command('add')
        .argument('<name>', 'a short name (lower-case letters, digits, . _ -)')
        .argument('<url>', 'oci://host[:port]/repository')
        .addOption(plainHttpOption())
        .option('--replace', 'replace a remote already saved under this name')
        .description('save a remote in the store, so commands can name it'),
    ),
    '  $ spec remote add origin oci://registry.example.com/acme/specs\n  $ spec remote add local oci://127.0.0.1:5000/acme/specs   # loopback: plain HTTP',
  ).action(async function (this: Command, name: string, url: string) {
    const options = this.opts<{ plainHttp?: boolean; replace?: boolean }>();
    const { json } = context.common(this);
    const saved = await withStore(context, this, 'create', (store) =>
      addRemote(store, name, url, { plainHttp: options.plainHttp === true, replace: options.replace === true }),
    );
    if (json) return context.printJson(saved);
    context.print(`${saved.name}  ${saved.url}`);
  });

  withCommon(
    remote.command('remove').argument('<name>').description('forget a saved remote (the registry is not touched)'),
  ).action(async function (this: Command, name: string) {
    const { json } = context.common(this);
    await withStore(context, this, 'write', (store) => removeRemote(store, name));
    if (json) return context.printJson({ removed: name });
    context.print(`removed ${name}`);
  });

  withCommon(remote.command('list', { isDefault: true }).description('the saved remotes')).action(async function (
    this: Command,
  ) {
    const { json } = context.common(this);
    const remotes = await withStore(context, this, 'read', (store) => listRemotes(store));
    if (json) return context.printJson(remotes);
    for (const saved of remotes) context.print(`${saved.name}  ${saved.url}${saved.plainHttp ? '  (plain http)' : ''}`);
  });

  examples(
    withCommon(
      remote
        .command('ls')
        .argument('<remote>', 'a saved name or oci://host/repository')
        .option('--all', 'also list the snapshot-<hex> tag every pushed snapshot has')
        .addOption(plainHttpOption())
        .description('the tags of a remote and the snapshots they name, with created time and counts'),
    ),
    '  $ spec remote ls origin\n  $ spec remote ls origin --json     # every tag, snapshot- tags included',
  ).action(async function (this: Command, name: string) {
    const options = this.opts<{ all?: boolean; plainHttp?: boolean }>();
    const { json } = context.common(this);
    const location = await locateWithoutStore(this, name, options.plainHttp);
    const tags = await listRemoteSnapshots(clientFor(location), location.repository);
    if (json) return context.printJson(tags);
    const named = new Set(tags.filter((tag) => !tag.snapshotTag).map((tag) => tag.snapshot));
    const shown = tags.filter((tag) => options.all || !tag.snapshotTag || !named.has(tag.snapshot));
    for (const tag of shown) {
      if (tag.snapshot === undefined) {
        context.print(`${tag.tag}  (not a specstore snapshot: ${tag.problem})`);
        continue;
      }
      const counts = [tag.specs === undefined ? '' : `${tag.specs} specs`, `${tag.packs} packs`].filter(Boolean);
      context.print(`${tag.tag}  ${tag.snapshot}  ${tag.created ?? '-'}  ${counts.join(', ')}`);
    }
    const hidden = tags.length - shown.length;
    if (hidden > 0) io.stderr(`(${hidden} snapshot-<hex> tags of the snapshots above; --all lists them)\n`);
  });

  examples(
    withCommon(
      program
        .command('push')
        .argument('<snapshot>', 'id, prefix, tag or latest')
        .argument('<remote>', 'a saved name or oci://host/repository')
        .option('-t, --tag <tag>', 'point this remote tag at the snapshot too (repeatable)', collect)
        .option('--source <url>', 'org.opencontainers.image.source: where the registry source lives')
        .option('--revision <rev>', 'org.opencontainers.image.revision (default: the git commit the build recorded)')
        .option('--repack', 'write one fresh pack of the whole snapshot instead of a delta')
        .addOption(plainHttpOption())
        .description(
          'upload a snapshot to an OCI registry: only what it lacks; prints the manifest digest (docs/oci.md)',
        ),
    ),
    '  $ spec push latest origin --tag prod\n  $ spec push latest oci://127.0.0.1:5000/acme/specs --tag prod\n  $ spec push latest origin --tag prod --json   # {manifest, snapshot, tags, uploadedBytes, ...}',
  ).action(async function (this: Command, selector: string, name: string) {
    const options = this.opts<{
      tag?: string[];
      source?: string;
      revision?: string;
      repack?: boolean;
      plainHttp?: boolean;
    }>();
    const { json } = context.common(this);
    const progress = createProgress(io);
    let sent = 0;
    const result = await withStore(context, this, 'write', async (store) => {
      const location = await locate(store, name, options.plainHttp);
      const id = await store.resolveSnapshot(selector);
      const mountFrom = await mountSources(store, location);
      try {
        const pushed = await pushSnapshot(store, id, {
          client: clientFor(location),
          repository: location.repository,
          tags: options.tag ?? [],
          mountFrom,
          ...(options.source === undefined ? {} : { source: options.source }),
          ...(options.revision === undefined ? {} : { revision: options.revision }),
          forceRepack: options.repack === true,
          onProgress: ({ bytes, action }) => {
            if (action === 'uploaded') sent += bytes;
            progress.show(`pushing to ${location.url}: ${formatBytes(sent)} sent`);
          },
        });
        return { ...pushed, remote: location.url };
      } finally {
        progress.done();
      }
    });
    if (json) return context.printJson(result);
    context.print(result.manifest);
    io.stderr(
      result.alreadyPresent
        ? `${result.remote} already had ${result.snapshot}; tagged ${result.tags.join(', ')}\n`
        : `pushed ${result.snapshot} to ${result.remote} as ${result.tags.join(', ')}: ` +
            `${result.uploadedBlobs} blobs uploaded (${formatBytes(result.uploadedBytes)})` +
            (result.mountedBlobs > 0 ? `, ${result.mountedBlobs} mounted` : '') +
            `, ${result.reusedPacks} of ${result.packs} packs reused` +
            (result.repacked && result.repacked !== 'no-base' ? ` (repacked: ${result.repacked})` : '') +
            '\n',
    );
  });

  examples(
    withCommon(
      program
        .command('pull')
        .argument('<reference>', 'REMOTE:TAG or REMOTE@sha256:<snapshot id>; REMOTE is a saved name or oci://…')
        .option('--ref <ref>', 'fetch and print one spec (re-hashed) without pulling the snapshot; nothing is stored')
        .option('-t, --tag <tag>', 'also point this local tag at the pulled snapshot')
        .addOption(plainHttpOption())
        .description('fetch a snapshot into the store; every object is re-hashed before anything is stored'),
    ),
    '  $ spec pull origin:prod\n  $ spec pull origin@sha256:<snapshot id>      # the way plans pin it\n  $ spec pull oci://127.0.0.1:5000/acme/specs:prod\n  $ spec pull origin:prod --ref text.llm@1     # one spec, printed',
  ).action(async function (this: Command, text: string) {
    const options = this.opts<{ ref?: string; tag?: string; plainHttp?: boolean }>();
    const { json } = context.common(this);
    const reference = parseRemoteReference(text);
    const selected = reference.tag === undefined ? { snapshot: reference.snapshot! } : { tag: reference.tag };
    if (options.tag !== undefined) assertValidTagName(options.tag);
    if (options.ref !== undefined) {
      const ref = options.ref;
      const location = await locateWithoutStore(this, reference.remote, options.plainHttp);
      const pulled = await pullSpec({
        client: clientFor(location),
        repository: location.repository,
        ...selected,
        source: text,
        ref,
      });
      if (json) return context.printJson(pulled);
      return context.print(JSON.stringify(pulled.spec.spec, null, 2));
    }
    const progress = createProgress(io);
    let received = 0;
    const result = await withStore(context, this, 'create', async (store) => {
      const location = await locate(store, reference.remote, options.plainHttp);
      try {
        const pulled = await pullSnapshot(store, {
          client: clientFor(location),
          repository: location.repository,
          ...selected,
          source: text,
          onProgress: ({ bytes }) => {
            received += bytes;
            progress.show(`pulling ${text}: ${formatBytes(received)} received`);
          },
        });
        if (options.tag !== undefined) await tagSnapshot(store, options.tag, pulled.snapshot);
        return { ...pulled, remote: location.url, ...(options.tag === undefined ? {} : { tag: options.tag }) };
      } finally {
        progress.done();
      }
    });
    if (json) return context.printJson(result);
    context.print(result.snapshot);
    io.stderr(
      result.existed
        ? `the store already had ${result.snapshot}\n`
        : `pulled ${result.snapshot} from ${result.remote}: ${result.objects} objects (${result.newObjects} new), ` +
            `${formatBytes(result.bytes)} in ${result.packs} packs\n`,
    );
  });
}

/** `--remote` of other commands: pulls the snapshots the store lacks, saying so on stderr. */
export async function pullFromRemote(
  context: CommandContext,
  store: SpecStore,
  remote: string,
  plainHttp: boolean,
  ids: readonly Digest[],
): Promise<void> {
  const { location, pulled } = await pullMissingFromRemote(store, remote, ids, { env: context.io.env, plainHttp });
  for (const result of pulled)
    if (!result.existed) context.io.stderr(`pulled ${result.snapshot} from ${location.url}\n`);
}
