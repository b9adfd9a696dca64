// The one walk of a snapshot's tree: breadth first, a level's nodes read in batches, every node decoded, problems on one channel.
import type { Digest } from '../core/digest.js';
import type { JsonValue } from '../core/json.js';
import { isSpecError } from '../errors.js';
import type { ObjectReader } from '../store/objectReader.js';
import type { KindDefinition } from '../kinds/kindDefinition.js';
import {
  isLeafNode,
  maxTreeDepth,
  type LeafNode,
  type ReadTreeNodes,
  type SnapshotRoot,
  type TreeNode,
} from './manifestTree.js';
import { decodeKindDefinition, decodeTreeNode, rootKindDigests } from './treeDecoder.js';

/** A node as the walk met it: its digest, the decoded node, and where it sits. */
export interface WalkedNode {
  digest: Digest;
  node: TreeNode;
  /** The hex digits of the branch members from the top node down to this one (its depth is the length). */
  prefix: string;
  /** The branch that points here; undefined for the top node. */
  parent: Digest | undefined;
}

export type TreeWalkProblemCode =
  /** The reader does not hold the node. */
  | 'NODE_MISSING'
  /** The node's bytes do not hash to its digest (`cause` is the DIGEST_MISMATCH). */
  | 'NODE_DAMAGED'
  /** The node is not a valid tree node, or is a branch below the deepest level the format has. */
  | 'NODE_MALFORMED'
  /** A kind definition the root lists is not held by the reader. */
  | 'DEFINITION_MISSING'
  /** A kind definition's bytes do not hash to its digest. */
  | 'DEFINITION_DAMAGED'
  /** A kind definition is not one (see decodeKindDefinition). */
  | 'DEFINITION_MALFORMED';

export interface TreeWalkProblem {
  code: TreeWalkProblemCode;
  digest: Digest;
  /** For a kind definition, ''. */
  prefix: string;
  /** For a kind definition, undefined (the root lists it). */
  parent: Digest | undefined;
  /** For a kind definition: the kind the root lists it as. */
  kind?: string;
  /** A sentence about the node ("tree node sha256:… is missing"). */
  message: string;
  cause?: unknown;
}

export interface TreeWalkOptions {
  /** Every node that cannot be walked, once per digest; the walk goes on around it (throw to stop it). */
  onProblem: (problem: TreeWalkProblem) => void;
  /** Whether to read the node at this position (false: skip it and all below, e.g. a subtree already walked). */
  enter?: (digest: Digest, prefix: string, parent: Digest | undefined) => boolean;
  /** Decoded nodes already at hand, consulted before reading and filled after. */
  cache?: Map<Digest, TreeNode>;
  /** Nodes read in one call of the reader. Default 1024. */
  batchSize?: number;
}

interface Position {
  digest: Digest;
  prefix: string;
  parent: Digest | undefined;
}

/**
 * Walks the tree below `top` level by level: yields the decoded nodes of each batch (a level's batches before the next
 * level's; within a level, in branch-digit order). Children are taken from a batch after the caller has seen it.
 */
export async function* walkTree(
  reader: ObjectReader,
  top: Digest,
  options: TreeWalkOptions,
): AsyncGenerator<WalkedNode[]> {
  const batchSize = options.batchSize ?? 1024;
  const reported = new Set<Digest>();
  const seen = new Set<string>();
  const report = (position: Position, code: TreeWalkProblemCode, message: string, cause?: unknown) => {
    if (reported.has(position.digest)) return;
    reported.add(position.digest);
    options.onProblem({ code, ...position, message, ...(cause === undefined ? {} : { cause }) });
  };
  const admit = (position: Position, into: Position[]) => {
    const key = `${position.digest}/${position.prefix}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (options.enter && !options.enter(position.digest, position.prefix, position.parent)) return;
    into.push(position);
  };
  let level: Position[] = [];
  admit({ digest: top, prefix: '', parent: undefined }, level);
  while (level.length > 0) {
    const next: Position[] = [];
    for (let start = 0; start < level.length; start += batchSize) {
      const batch = level.slice(start, start + batchSize);
      const nodes = await readNodes(reader, batch, options.cache, report);
      const walked: WalkedNode[] = [];
      batch.forEach((position, i) => {
        const node = nodes[i];
        if (node !== undefined) walked.push({ ...position, node });
      });
      yield walked;
      for (const { digest, node, prefix } of walked) {
        if (isLeafNode(node)) continue;
        if (prefix.length >= maxTreeDepth) {
          report(
            { digest, prefix, parent: undefined },
            'NODE_MALFORMED',
            `tree node ${digest} is a branch at depth ${prefix.length}`,
          );
          continue;
        }
        for (const digit in node.branch)
          admit({ digest: node.branch[digit]!, prefix: prefix + digit, parent: digest }, next);
      }
    }
    level = next;
  }
}

/** A kind definition the root lists, decoded. */
export interface WalkedDefinition {
  kind: string;
  digest: Digest;
  definition: KindDefinition;
}

/**
 * The objects a root reaches besides its tree: the kind definitions of a v2 root, read in one batch (re-hashed) and
 * decoded, each problem reported once as the tree walk reports a node's. Every reader of a whole snapshot calls this
 * with walkTree: together they are the one walk of a snapshot.
 */
export async function walkRootObjects(
  reader: ObjectReader,
  root: SnapshotRoot,
  options: Pick<TreeWalkOptions, 'onProblem'> & { enter?: (digest: Digest) => boolean },
): Promise<WalkedDefinition[]> {
  const listed = Object.entries(rootKindDigests(root)).filter(([, digest]) => options.enter?.(digest) ?? true);
  if (listed.length === 0) return [];
  const digests = [...new Set(listed.map(([, digest]) => digest))];
  const read = new Map<Digest, ReadResult>();
  (await readEach(reader, digests)).forEach((result, i) => read.set(digests[i]!, result));
  const walked: WalkedDefinition[] = [];
  for (const [kind, digest] of listed) {
    const result = read.get(digest)!;
    const problem = (code: TreeWalkProblemCode, message: string, cause?: unknown) =>
      options.onProblem({
        code,
        digest,
        prefix: '',
        parent: undefined,
        kind,
        message,
        ...(cause === undefined ? {} : { cause }),
      });
    if (result.sort === 'missing') problem('DEFINITION_MISSING', `kind definition ${digest} (${kind}) is missing`);
    else if (result.sort === 'damaged')
      problem('DEFINITION_DAMAGED', `kind definition ${digest} (${kind}) is damaged`, result.cause);
    else {
      const decoded = decodeKindDefinition(result.value, kind);
      if (decoded.ok) walked.push({ kind, digest, definition: decoded.value });
      else problem('DEFINITION_MALFORMED', `kind definition ${digest} ${decoded.problem.message}`);
    }
  }
  return walked;
}

/** Reads and decodes a batch (the missing ones in one call); a node that cannot be had is reported and undefined. */
async function readNodes(
  reader: ObjectReader,
  batch: readonly Position[],
  cache: Map<Digest, TreeNode> | undefined,
  report: (position: Position, code: TreeWalkProblemCode, message: string, cause?: unknown) => void,
): Promise<(TreeNode | undefined)[]> {
  const wanted = [...new Set(batch.map((position) => position.digest).filter((digest) => !cache?.has(digest)))];
  const results = new Map<Digest, ReadResult>();
  if (wanted.length > 0) (await readEach(reader, wanted)).forEach((result, i) => results.set(wanted[i]!, result));
  const decoded = new Map<Digest, TreeNode | undefined>();
  return batch.map((position) => {
    const cached = cache?.get(position.digest);
    if (cached) return cached;
    if (decoded.has(position.digest)) return decoded.get(position.digest);
    const result = results.get(position.digest);
    let node: TreeNode | undefined;
    if (result === undefined || result.sort === 'missing')
      report(position, 'NODE_MISSING', `tree node ${position.digest} is missing`);
    else if (result.sort === 'damaged')
      report(position, 'NODE_DAMAGED', `tree node ${position.digest} is damaged`, result.cause);
    else {
      const outcome = decodeTreeNode(result.value);
      if (outcome.ok) {
        node = outcome.value;
        cache?.set(position.digest, node);
      } else report(position, 'NODE_MALFORMED', `tree node ${position.digest} ${outcome.problem.message}`);
    }
    decoded.set(position.digest, node);
    return node;
  });
}

type ReadResult = { sort: 'read'; value: JsonValue } | { sort: 'missing' } | { sort: 'damaged'; cause: unknown };

/** One batched read; when it fails on a damaged object, each is read alone to tell the damaged ones from the rest. */
async function readEach(reader: ObjectReader, digests: readonly Digest[]): Promise<ReadResult[]> {
  const wrap = (value: JsonValue | undefined): ReadResult =>
    value === undefined ? { sort: 'missing' } : { sort: 'read', value };
  try {
    return (await reader.readObjects(digests)).map(wrap);
  } catch (error) {
    if (!isDigestMismatch(error)) throw error;
  }
  const results: ReadResult[] = [];
  for (const digest of digests) {
    try {
      const [value] = await reader.readObjects([digest]);
      results.push(wrap(value));
    } catch (error) {
      if (!isDigestMismatch(error)) throw error;
      results.push({ sort: 'damaged', cause: error });
    }
  }
  return results;
}

function isDigestMismatch(error: unknown): boolean {
  return isSpecError(error) && error.code === 'DIGEST_MISMATCH';
}

/** One spec a leaf lists. */
export interface LeafSpec {
  name: string;
  version: string;
  kind: string;
  digest: Digest;
  /** The plugin package it came from (format v2 `origins`); absent for the registry's own specs. */
  origin?: string;
}

/** The specs a leaf lists, name by name, version by version. */
export function* leafSpecs(leaf: LeafNode): Generator<LeafSpec> {
  for (const name in leaf.leaf) {
    const entry = leaf.leaf[name]!;
    for (const version in entry.versions) {
      const origin = entry.origins?.[version];
      yield {
        name,
        version,
        kind: entry.kind,
        digest: entry.versions[version]!,
        ...(origin === undefined ? {} : { origin }),
      };
    }
  }
}

/** Tree nodes by digest for `updateManifest`: a missing or malformed node is undefined (the caller builds afresh). */
export function treeNodeReader(reader: ObjectReader): ReadTreeNodes {
  return async (digests) =>
    (await reader.readObjects(digests)).map((value) => {
      const decoded = decodeTreeNode(value);
      return decoded.ok ? decoded.value : undefined;
    });
}
