// The OCI artifact of a snapshot (docs/oci.md): one image manifest, layers[0] the root object, the other layers packs.
import { canonicalJson } from '../core/canonicalJson.js';
import { digestBytes, isDigest, type Digest } from '../core/digest.js';
import { isJsonObject } from '../core/json.js';
import { SpecError } from '../errors.js';
import { decodeChunkIndex, encodeChunkIndex, packMediaType, type PackChunk } from './snapshotPack.js';
import { ociManifestMediaType } from './distributionClient.js';

/** The manifest's `artifactType`: what tools such as oras show. */
export const snapshotArtifactType = 'application/vnd.specstore.snapshot.v1';
/** The media type of layers[0]: the snapshot root object, whose digest is the snapshot id. */
export const rootMediaType = 'application/vnd.specstore.snapshot.root.v1+json';
/** OCI 1.1's empty config: accepted by every registry checked (GitLab refuses custom config types). */
export const emptyConfig = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' as Digest,
  size: 2,
  data: 'e30=',
} as const;
/** The bytes the empty config's digest names (`{}`). */
export const emptyConfigBytes = new TextEncoder().encode('{}');

/** Annotation keys this project writes (the `org.opencontainers.image.*` ones are the image spec's). */
export const annotationKeys = {
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  snapshot: 'dev.specstore.snapshot.id',
  specs: 'dev.specstore.snapshot.specs',
  objects: 'dev.specstore.snapshot.objects',
  packObjects: 'dev.specstore.pack.objects',
  packRawBytes: 'dev.specstore.pack.raw-bytes',
  packChunks: 'dev.specstore.pack.chunks',
} as const;

/** The tag every pushed snapshot gets, so it is found by id and survives clean-ups of untagged manifests. */
export function snapshotTag(id: Digest): string {
  return `snapshot-${id.slice('sha256:'.length)}`;
}

/** A pack layer as the manifest describes it. */
export interface PackLayer {
  digest: Digest;
  size: number;
  objects: number;
  rawBytes: number;
  chunks: PackChunk[];
}

/** A snapshot manifest, parsed and checked. */
export interface SnapshotManifest {
  snapshot: Digest;
  rootSize: number;
  packs: PackLayer[];
  /** The build metadata annotations (created, source, revision, counts), as strings. */
  annotations: Record<string, string>;
}

/** What goes into a manifest. */
export interface SnapshotManifestInput {
  snapshot: Digest;
  rootSize: number;
  packs: readonly PackLayer[];
  annotations: Record<string, string>;
}

/** The manifest's bytes: canonical JSON, so the same input always gives the same manifest digest. */
export function buildSnapshotManifest(input: SnapshotManifestInput): { bytes: Uint8Array; digest: Digest } {
  const manifest = {
    schemaVersion: 2,
    mediaType: ociManifestMediaType,
    artifactType: snapshotArtifactType,
    config: emptyConfig,
    layers: [
      { mediaType: rootMediaType, digest: input.snapshot, size: input.rootSize },
      ...input.packs.map((pack) => ({
        mediaType: packMediaType,
        digest: pack.digest,
        size: pack.size,
        annotations: {
          [annotationKeys.packObjects]: String(pack.objects),
          [annotationKeys.packRawBytes]: String(pack.rawBytes),
          [annotationKeys.packChunks]: encodeChunkIndex(pack.chunks),
        },
      })),
    ],
    annotations: input.annotations,
  };
  const bytes = new TextEncoder().encode(canonicalJson(manifest));
  return { bytes, digest: digestBytes(bytes) };
}

/**
 * Reads a manifest a registry returned: an OCI image manifest of a specstore snapshot, or OCI_MANIFEST_INVALID
 * naming what is wrong (the bytes were already checked against their digest by the client).
 */
export function parseSnapshotManifest(bytes: Uint8Array, label: string): SnapshotManifest {
  const invalid = (reason: string) =>
    new SpecError('OCI_MANIFEST_INVALID', `${label} is not a specstore snapshot: ${reason}`, {
      data: { manifest: label },
    });
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('its manifest is not JSON');
  }
  if (!isJsonObject(value)) throw invalid('its manifest is not a JSON object');
  const manifest = value as Record<string, unknown>;
  if (manifest['schemaVersion'] !== 2) throw invalid('schemaVersion is not 2');
  if (manifest['artifactType'] !== snapshotArtifactType)
    throw invalid(`artifactType is ${JSON.stringify(manifest['artifactType'])}, not ${snapshotArtifactType}`);
  const layers = manifest['layers'];
  if (!Array.isArray(layers) || layers.length === 0) throw invalid('it has no layers');
  const descriptor = (layer: unknown, index: number) => {
    if (!isJsonObject(layer)) throw invalid(`layer ${index} is not a descriptor`);
    const { mediaType, digest, size } = layer as Record<string, unknown>;
    if (!isDigest(digest)) throw invalid(`layer ${index} has no sha256 digest`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw invalid(`layer ${index} has no size`);
    return { mediaType, digest, size, annotations: (layer as Record<string, unknown>)['annotations'] };
  };
  const root = descriptor(layers[0], 0);
  if (root.mediaType !== rootMediaType) throw invalid(`layer 0 is ${JSON.stringify(root.mediaType)}, not the root`);
  const packs = layers.slice(1).map((layer, i) => {
    const index = i + 1;
    const { mediaType, digest, size, annotations } = descriptor(layer, index);
    if (mediaType !== packMediaType) throw invalid(`layer ${index} is ${JSON.stringify(mediaType)}, not a pack`);
    const notes = isJsonObject(annotations) ? (annotations as Record<string, unknown>) : {};
    const count = (key: string) => {
      const text = notes[key];
      return typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
    };
    const objects = count(annotationKeys.packObjects);
    const rawBytes = count(annotationKeys.packRawBytes);
    const chunkText = notes[annotationKeys.packChunks];
    const chunks = typeof chunkText === 'string' ? decodeChunkIndex(chunkText, size) : undefined;
    if (objects === undefined || rawBytes === undefined || chunks === undefined)
      throw invalid(`layer ${index} lacks a valid object count, size or chunk index`);
    return { digest, size, objects, rawBytes, chunks };
  });
  const annotations: Record<string, string> = {};
  const listed = manifest['annotations'];
  if (isJsonObject(listed))
    for (const [key, text] of Object.entries(listed as Record<string, unknown>))
      if (typeof text === 'string') annotations[key] = text;
  return { snapshot: root.digest, rootSize: root.size, packs, annotations };
}
