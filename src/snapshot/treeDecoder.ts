// The one decoder of snapshot objects read back: a JSON value becomes a typed root or tree node, or a problem. Never throws.
import { isDigest, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { snapshotFormat, type NameEntry, type SnapshotRoot, type TreeNode } from './manifestTree.js';

export type TreeProblemCode =
  /** Not a snapshot root: not an object, or another format. */
  | 'NOT_A_ROOT'
  /** A root without a tree digest or a spec count. */
  | 'ROOT_INVALID'
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

/** A snapshot root: `{format: specstore/snapshot/v1, specs, tree}`. */
export function decodeSnapshotRoot(value: JsonValue | undefined): Decoded<SnapshotRoot> {
  if (!isJsonObject(value))
    return fail('NOT_A_ROOT', `is not a snapshot root (format ${JSON.stringify(typeof value)})`);
  const { format, specs, tree } = value;
  if (format !== snapshotFormat) return fail('NOT_A_ROOT', `is not a snapshot root (format ${JSON.stringify(format)})`);
  if (!isDigest(tree) || typeof specs !== 'number' || !Number.isSafeInteger(specs) || specs < 0)
    return fail('ROOT_INVALID', 'has no valid tree digest or spec count');
  return { ok: true, value: { format, specs, tree } };
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
export function objectSort(value: JsonValue): 'root' | 'node' | 'spec' | 'other' {
  if (!isJsonObject(value)) return 'other';
  if (Object.keys(value).length === 1 && (isJsonObject(value['leaf']) || isJsonObject(value['branch']))) return 'node';
  if (value['format'] === snapshotFormat) return 'root';
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
