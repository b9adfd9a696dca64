// The one decoder of snapshot objects read back: a JSON value becomes a typed root or tree node, or a problem. Never throws.
import { isDigest, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { isKindDefinition, kindDefinitionFormat, type KindDefinition } from '../kinds/kindDefinition.js';
import { snapshotFormat, snapshotFormatV1, type NameEntry, type SnapshotRoot, type TreeNode } from './manifestTree.js';

export type TreeProblemCode =
  /** Not a snapshot root: not an object, or another format. */
  | 'NOT_A_ROOT'
  /** A root without a tree digest or a spec count, or (v2) without valid `kinds` and `plugins` maps. */
  | 'ROOT_INVALID'
  /** Not a kind definition (specstore/kind/v1 with its members), or one of another name than the root gives it. */
  | 'DEFINITION_INVALID'
  /** Not an object with the single member `leaf` or `branch`. */
  | 'NOT_A_NODE'
  /** A leaf member that is not `{kind, versions}` with at least one version. */
  | 'ENTRY_INVALID'
  /** A version whose digest is not a digest. */
  | 'VERSION_DIGEST_INVALID'
  /** A branch without children. */
  | 'BRANCH_EMPTY'
  /** A branch member that is not one hex digit naming a digest. */
  | 'BRANCH_MEMBER_INVALID';

/** What is wrong with an object; `message` completes a sentence about it ("tree node X …", "object X …"). */
export interface TreeProblem {
  code: TreeProblemCode;
  message: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: TreeProblem };

const hexDigit = /^[0-9a-f]$/;

function fail<T>(code: TreeProblemCode, message: string): Decoded<T> {
  return { ok: false, problem: { code, message } };
}

/** A snapshot root: `{format: specstore/snapshot/v1, specs, tree}` or v2's, which adds `kinds` and `plugins`. */
export function decodeSnapshotRoot(value: JsonValue | undefined): Decoded<SnapshotRoot> {
  if (!isJsonObject(value))
    return fail('NOT_A_ROOT', `is not a snapshot root (format ${JSON.stringify(typeof value)})`);
  const { format, specs, tree } = value;
  if (format !== snapshotFormat && format !== snapshotFormatV1)
    return fail('NOT_A_ROOT', `is not a snapshot root (format ${JSON.stringify(format)})`);
  if (!isDigest(tree) || typeof specs !== 'number' || !Number.isSafeInteger(specs) || specs < 0)
    return fail('ROOT_INVALID', 'has no valid tree digest or spec count');
  if (format === snapshotFormatV1) {
    if (Object.keys(value).length !== 3) return fail('ROOT_INVALID', 'has members a v1 root does not have');
    return { ok: true, value: { format, specs, tree } };
  }
  const { kinds, plugins } = value;
  if (!isJsonObject(kinds) || !Object.values(kinds).every(isDigest))
    return fail('ROOT_INVALID', 'has no valid kinds map (kind name → definition digest)');
  if (!isJsonObject(plugins) || !Object.values(plugins).every((version) => typeof version === 'string'))
    return fail('ROOT_INVALID', 'has no valid plugins map (package → version)');
  if (Object.keys(value).length !== 5) return fail('ROOT_INVALID', 'has members a v2 root does not have');
  return {
    ok: true,
    value: {
      format,
      specs,
      tree,
      kinds: kinds as Record<string, Digest>,
      plugins: plugins as Record<string, string>,
    },
  };
}

/** The digests of the kind definitions a root reaches (none for v1), by kind name. */
export function rootKindDigests(root: SnapshotRoot): Record<string, Digest> {
  return 'kinds' in root ? root.kinds : {};
}

/** A kind definition the root lists under `name` (docs/format.md "Kind definitions"). */
export function decodeKindDefinition(value: JsonValue | undefined, name: string): Decoded<KindDefinition> {
  if (!isKindDefinition(value))
    return fail('DEFINITION_INVALID', `is not a kind definition (${kindDefinitionFormat} with its members)`);
  if (value.name !== name)
    return fail('DEFINITION_INVALID', `is the definition of kind ${value.name}, listed as kind ${name}`);
  return { ok: true, value };
}

/** A tree node: a leaf of name entries or a branch of hex digits to child digests (docs/format.md, "Nodes"). */
export function decodeTreeNode(value: JsonValue | undefined): Decoded<TreeNode> {
  if (!isJsonObject(value) || Object.keys(value).length !== 1)
    return fail('NOT_A_NODE', 'is not a tree node (an object with the single member leaf or branch)');
  const { leaf, branch } = value;
  if (isJsonObject(leaf))
    return isNameEntries(leaf) ? { ok: true, value: { leaf } } : { ok: false, problem: leafProblem(leaf) };
  if (isJsonObject(branch))
    return isChildDigests(branch) ? { ok: true, value: { branch } } : { ok: false, problem: branchProblem(branch) };
  return fail('NOT_A_NODE', 'is not a tree node (an object with the single member leaf or branch)');
}

/** How an object is told apart by shape (docs/format.md, "Export documents"); says nothing of its validity. */
export function objectSort(value: JsonValue): 'root' | 'node' | 'kind' | 'spec' | 'other' {
  if (!isJsonObject(value)) return 'other';
  if (Object.keys(value).length === 1 && (isJsonObject(value['leaf']) || isJsonObject(value['branch']))) return 'node';
  if (value['format'] === snapshotFormat || value['format'] === snapshotFormatV1) return 'root';
  if (value['format'] === kindDefinitionFormat) return 'kind';
  if (typeof value['id'] === 'string') return 'spec';
  return 'other';
}

function isNameEntries(leaf: JsonObject): leaf is Record<string, NameEntry> {
  for (const name in leaf) if (entryProblem(name, leaf[name]) !== undefined) return false;
  return true;
}

function entryProblem(name: string, entry: JsonValue | undefined): TreeProblem | undefined {
  const versions = isJsonObject(entry) && typeof entry['kind'] === 'string' ? entry['versions'] : undefined;
  if (!isJsonObject(versions) || Object.keys(versions).length === 0)
    return { code: 'ENTRY_INVALID', message: `has no valid {kind, versions} entry for ${name}` };
  for (const version in versions) {
    if (!isDigest(versions[version]))
      return { code: 'VERSION_DIGEST_INVALID', message: `lists ${name}@${version} with an invalid digest` };
  }
  const extra = Object.keys(entry as JsonObject).filter((key) => key !== 'kind' && key !== 'versions');
  if (extra.length === 0) return undefined;
  const origins = (entry as JsonObject)['origins'];
  if (
    extra.length > 1 ||
    extra[0] !== 'origins' ||
    !isJsonObject(origins) ||
    Object.keys(origins).length === 0 ||
    Object.entries(origins).some(([version, origin]) => typeof origin !== 'string' || !Object.hasOwn(versions, version))
  )
    return {
      code: 'ENTRY_INVALID',
      message: `has an entry for ${name} with members other than kind, versions and origins by version`,
    };
  return undefined;
}

function leafProblem(leaf: JsonObject): TreeProblem {
  for (const name in leaf) {
    const problem = entryProblem(name, leaf[name]);
    if (problem) return problem;
  }
  return { code: 'ENTRY_INVALID', message: 'has an invalid entry' };
}

function isChildDigests(branch: JsonObject): branch is Record<string, Digest> {
  let children = 0;
  for (const digit in branch) {
    if (!hexDigit.test(digit) || !isDigest(branch[digit])) return false;
    children++;
  }
  return children > 0;
}

function branchProblem(branch: JsonObject): TreeProblem {
  for (const digit in branch) {
    if (!hexDigit.test(digit) || !isDigest(branch[digit]))
      return { code: 'BRANCH_MEMBER_INVALID', message: `has an invalid branch member "${digit}"` };
  }
  return { code: 'BRANCH_EMPTY', message: 'is a branch with no children' };
}
