// A registry as it was at a git commit, read from git's objects by the `git` program (no checkout, no store).
import { Buffer, isUtf8 } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { SpecError } from '../errors.js';
import type { RegistryFileSystem, RegistryRoot, SourceEntry, SourceEntryType } from './registrySource.js';

/** Which commit a git ref named, and where the registry is in that commit's tree. */
export interface GitRevision {
  /** The ref as the user gave it (`main`, `HEAD~1`, a tag, a commit). */
  ref: string;
  /** The commit it names (40 hex digits, 64 in a SHA-256 repository). */
  commit: string;
  /** The registry folder's path inside the repository, `/`-separated ('' for the repository's top). */
  path: string;
}

export interface GitRegistryRootOptions {
  /** The working directory: git runs there, and `registry` is relative to it. */
  cwd: string;
  /** The registry directory (as for a build: relative to `cwd`, or absolute); it need not exist in the working tree. */
  registry: string;
  /** A git revision naming a commit: `main`, `HEAD~1`, `v1.2.0`, a commit id. */
  ref: string;
  /** The git program (default `git`, found on PATH). */
  git?: string;
}

/** `git:REF` (how a command names a registry at a ref), or undefined for anything else. */
export function parseGitRef(value: string): string | undefined {
  return value.startsWith('git:') ? value.slice('git:'.length) : undefined;
}

/** Files at most this large are read up front, in one `git cat-file --batch`; larger ones only when asked for. */
const eagerBlobBytes = 8 * 1024 * 1024 + 1;

/** What is read up front: what a build reads (spec and kind files, specstore.yaml) and link targets. */
const eagerName = /\.ya?ml$/;

interface TreeFile {
  type: 'file' | 'symlink' | 'other';
  oid: string;
  size: number;
  /** The path's names as bytes, when one of them is not UTF-8 (the path is then a lossy decoding). */
  nameBytes?: Uint8Array[];
}

/**
 * The registry directory as it was at `ref`, as a registry root read from git's objects: `git rev-parse` names the
 * commit, `git ls-tree` lists the registry's folder in it, `git cat-file --batch` reads the files. Every object read
 * is checked against the listing (its id, type and size) and hashed again before it is used (GIT_OBJECT_INVALID).
 * A ref the repository lacks is GIT_REF_NOT_FOUND (saying to fetch it, in a shallow clone); a directory outside any
 * repository is GIT_NOT_A_REPOSITORY; git that cannot be run or fails otherwise is GIT_FAILED. A registry folder that
 * the commit lacks gives a root with nothing in it (a build then reports REGISTRY_NOT_FOUND).
 */
export async function gitRegistryRoot(
  options: GitRegistryRootOptions,
): Promise<{ root: RegistryRoot; revision: GitRevision }> {
  if (options === null || typeof options !== 'object') throw new TypeError('gitRegistryRoot: options are required');
  const { cwd, registry, ref } = options;
  if (typeof cwd !== 'string' || typeof registry !== 'string' || typeof ref !== 'string')
    throw new TypeError('gitRegistryRoot: cwd, registry and ref must be strings');
  const git = new GitRunner(options.git ?? 'git', cwd);
  if (ref === '' || ref.startsWith('-') || /[\0\n]/.test(ref))
    throw new SpecError(
      'USAGE',
      `"git:${ref}" does not name a git revision (try git:main, git:HEAD~1 or a commit id)`,
      {
        data: { ref },
      },
    );

  const prefix = await git.prefix();
  const fromCwd = relative(resolve(cwd), resolve(cwd, registry));
  const inRepository = posix.normalize(`${prefix}${fromCwd.split('\\').join('/')}`).replace(/\/$/, '');
  if (isAbsolute(fromCwd) || inRepository === '..' || inRepository.startsWith('../'))
    throw new SpecError('USAGE', `registry ${registry} is outside the git repository of ${cwd}`, {
      data: { registry, ref },
    });
  const path = inRepository === '.' ? '' : inRepository;
  if (/[\n\0]/.test(path))
    throw new SpecError('USAGE', 'a registry path with a line break cannot be read from git', { data: { registry } });

  const commit = await git.commitOf(ref);
  const revision: GitRevision = { ref, commit, path };
  const location = `git:${ref}:${path === '' ? '.' : path}`;
  const treeish = path === '' ? `${commit}^{tree}` : `${commit}:${path}`;
  const [probe] = await git.batch(['--batch-check'], [treeish]);
  if (probe!.type !== 'tree') return { root: { location, fs: treeFileSystem(new Map(), git, false) }, revision };
  const files = await git.listTree(probe!.oid);
  const wanted = [...files].filter(
    ([name, file]) =>
      file.type !== 'other' && file.size <= eagerBlobBytes && (file.type === 'symlink' || eagerName.test(name)),
  );
  const blobs = await git.readBlobs(wanted.map(([, file]) => file));
  return { root: { location, fs: treeFileSystem(files, git, true, blobs) }, revision };
}

/** The folders and files of a tree listing as a read-only registry file system; stats never change. */
function treeFileSystem(
  files: ReadonlyMap<string, TreeFile>,
  git: GitRunner,
  exists: boolean,
  blobs: Map<string, Uint8Array> = new Map(),
): RegistryFileSystem {
  const folders = new Map<string, Map<string, SourceEntry>>();
  if (exists) folders.set('', new Map());
  for (const [path, file] of files) {
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      let children = folders.get(folder);
      if (!children) folders.set(folder, (children = new Map<string, SourceEntry>()));
      const type: SourceEntryType = depth === parts.length - 1 ? file.type : 'directory';
      const name = parts[depth]!;
      const nameBytes = file.nameBytes?.[depth];
      if (!children.has(name))
        children.set(name, { name, type, ...(nameBytes && name.includes('\uFFFD') ? { nameBytes } : {}) });
    }
  }
  const errno = (code: string, path: string) =>
    Object.assign(new Error(`${code}: ${code === 'ENOENT' ? 'no such file or directory' : 'not a link'}, '${path}'`), {
      code,
    });
  const contentOf = (file: TreeFile): Uint8Array => {
    const held = blobs.get(file.oid);
    if (held) return held;
    const bytes = git.readBlobSync(file);
    blobs.set(file.oid, bytes);
    return bytes;
  };
  /** The path with every link resolved, or where outside the tree it leads. */
  const real = (path: string): { inside: string } | { outside: string } => {
    let pending = path === '' ? [] : path.split('/');
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (done.length === 0) return { outside: posix.join(...done, '..', ...pending) };
        done.pop();
        continue;
      }
      const here = [...done, part].join('/');
      const file = files.get(here);
      if (file?.type === 'symlink') {
        if (++links > 40) throw errno('ELOOP', path);
        const target = new TextDecoder().decode(contentOf(file));
        if (target.startsWith('/')) return { outside: target };
        pending = [...target.split('/'), ...pending];
        continue;
      }
      if (!file && !folders.has(here)) throw errno('ENOENT', path);
      done.push(part);
    }
    return { inside: done.join('/') };
  };
  return {
    statsTrackChanges: false,
    readdir(path) {
      const inside = real(path);
      const children = 'inside' in inside ? folders.get(inside.inside) : undefined;
      if (!children) throw errno('ENOENT', path);
      return [...children.values()];
    },
    stat(path) {
      const inside = real(path);
      if (!('inside' in inside)) throw errno('ENOENT', path);
      const file = files.get(inside.inside);
      const type = file ? (file.type === 'other' ? 'other' : 'file') : folders.has(inside.inside) ? 'directory' : '';
      if (type === '') throw errno('ENOENT', path);
      return { type, size: file?.size ?? 0, mtimeMs: 0, ctimeMs: 0, ino: 0 } as const;
    },
    realpath: real,
    readlink(path) {
      const file = files.get(path);
      if (file?.type !== 'symlink') throw errno('EINVAL', path);
      return new TextDecoder().decode(contentOf(file));
    },
    readFile(path) {
      const inside = real(path);
      const file = 'inside' in inside ? files.get(inside.inside) : undefined;
      if (!file || file.type !== 'file') throw errno('ENOENT', path);
      return contentOf(file);
    },
  };
}

interface BatchAnswer {
  input: string;
  oid: string;
  type: string;
  size: number;
  content?: Uint8Array;
}

/** Runs git in one directory; each failure becomes a SpecError with git's own words. */
class GitRunner {
  private objectIdLength = 40;

  constructor(
    private readonly program: string,
    private readonly cwd: string,
  ) {}

  /** The working directory's path inside its repository (`a/b/` or ''): GIT_NOT_A_REPOSITORY outside one. */
  async prefix(): Promise<string> {
    const result = await this.run(['rev-parse', '--show-prefix']);
    if (result.status !== 0)
      throw new SpecError(
        'GIT_NOT_A_REPOSITORY',
        `${this.cwd} is not inside a git repository, so there is no git ref to compare with (${result.stderrText || `git exited with ${result.status}`})`,
        { data: { cwd: this.cwd } },
      );
    return result.stdout.toString('utf8').replace(/\n$/, '');
  }

  /** The commit a ref names, checked to be an object id; GIT_REF_NOT_FOUND (saying how to fetch it) when absent. */
  async commitOf(ref: string): Promise<string> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    const commit = result.stdout.toString('utf8').trim();
    if (result.status === 0 && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) {
      this.objectIdLength = commit.length;
      return commit;
    }
    if (result.status === 0 || result.status > 1) throw this.failed(['rev-parse', ref], result);
    const shallow =
      (await this.run(['rev-parse', '--is-shallow-repository'])).stdout.toString('utf8').trim() === 'true';
    // A relative ref (HEAD~1, main^) cannot be fetched by name: deepen the history instead.
    const fetch = /[~^@]/.test(ref) ? 'git fetch --deepen=N' : `git fetch origin ${ref}`;
    const message = shallow
      ? `git ref ${ref} is not in this repository, which is a shallow clone: fetch it first (${fetch}, or git fetch --unshallow; with actions/checkout, set fetch-depth: 0)`
      : `git ref ${ref} names no commit in this repository (fetch it first if it is on a remote: git fetch origin ${ref})`;
    throw new SpecError('GIT_REF_NOT_FOUND', message, { data: { ref, shallow } });
  }

  /** `git ls-tree -r --long` of a tree: every file below it by `/`-separated path, each line checked. */
  async listTree(tree: string): Promise<Map<string, TreeFile>> {
    const args = ['ls-tree', '-r', '-z', '--long', '--full-tree', '--end-of-options', tree];
    const result = await this.run(args);
    if (result.status !== 0) throw this.failed(args, result);
    const files = new Map<string, TreeFile>();
    const output = result.stdout;
    let start = 0;
    const header = /^([0-7]{6}) (blob|tree|commit) ([0-9a-f]+) +(-|\d+)\t$/;
    while (start < output.length) {
      const end = output.indexOf(0, start);
      if (end < 0) throw this.invalid('ls-tree', 'an entry without its NUL terminator');
      const tab = output.indexOf(9, start);
      if (tab < 0 || tab > end) throw this.invalid('ls-tree', 'an entry without a tab');
      const fields = header.exec(output.subarray(start, tab + 1).toString('latin1'));
      const pathBytes = output.subarray(tab + 1, end);
      const path = pathBytes.toString('utf8');
      start = end + 1;
      if (!fields || fields[3]!.length !== this.objectIdLength || path === '' || path.split('/').includes('..'))
        throw this.invalid('ls-tree', `an entry it should not have (${JSON.stringify(path)})`);
      const [, mode, type, oid, size] = fields;
      const kind =
        type === 'blob' && (mode === '100644' || mode === '100755')
          ? 'file'
          : type === 'blob' && mode === '120000'
            ? 'symlink'
            : type === 'commit' && mode === '160000'
              ? 'other'
              : undefined;
      if (kind === undefined || (kind !== 'other' && size === '-'))
        throw this.invalid('ls-tree', `an entry of mode ${mode} and type ${type} (${JSON.stringify(path)})`);
      const file: TreeFile = { type: kind, oid: oid!, size: size === '-' ? 0 : Number(size) };
      if (!isUtf8(pathBytes)) file.nameBytes = splitNames(pathBytes);
      files.set(path, file);
    }
    return files;
  }

  /** The blobs' bytes by object id, read in one `git cat-file --batch` and each checked (see checkBlob). */
  async readBlobs(files: readonly TreeFile[]): Promise<Map<string, Uint8Array>> {
    const byOid = new Map(files.map((file) => [file.oid, file]));
    const answers = await this.batch(['--batch'], [...byOid.keys()]);
    const blobs = new Map<string, Uint8Array>();
    for (const answer of answers) blobs.set(answer.oid, this.checkBlob(byOid.get(answer.input)!, answer));
    return blobs;
  }

  /** One blob, read when a build asks for it (a large file, or one not read up front), checked as readBlobs does. */
  readBlobSync(file: TreeFile): Uint8Array {
    let content: Buffer;
    try {
      content = execFileSync(this.program, ['cat-file', 'blob', file.oid], {
        cwd: this.cwd,
        maxBuffer: file.size + 1,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (cause) {
      throw new SpecError('GIT_FAILED', `git cat-file blob ${file.oid} failed: ${(cause as Error).message}`, {
        data: { object: file.oid },
        cause,
      });
    }
    return this.checkBlob(file, { input: file.oid, oid: file.oid, type: 'blob', size: content.length, content });
  }

  /** GIT_OBJECT_INVALID unless git answered with the blob the listing named: its id, its size, bytes that hash to it. */
  private checkBlob(file: TreeFile, answer: BatchAnswer): Uint8Array {
    const content = answer.content!;
    const problem =
      answer.oid !== file.oid || answer.type !== 'blob'
        ? `git answered with ${answer.type} ${answer.oid}`
        : answer.size !== file.size || content.length !== file.size
          ? `its size is ${content.length} bytes where the tree says ${file.size}`
          : gitObjectId('blob', content, file.oid.length) !== file.oid
            ? 'its bytes do not hash to its id'
            : undefined;
    if (problem)
      throw new SpecError('GIT_OBJECT_INVALID', `git object ${file.oid} is not what its tree says: ${problem}`, {
        data: { object: file.oid },
      });
    return content;
  }

  /** `git cat-file --batch` or `--batch-check` for these inputs, answers parsed and checked in order. */
  async batch(mode: ['--batch'] | ['--batch-check'], inputs: readonly string[]): Promise<BatchAnswer[]> {
    if (inputs.length === 0) return [];
    const args = ['cat-file', ...mode];
    const result = await this.run(args, `${inputs.join('\n')}\n`);
    if (result.status !== 0) throw this.failed(args, result);
    const output = result.stdout;
    const withContent = mode[0] === '--batch';
    const answers: BatchAnswer[] = [];
    let at = 0;
    for (const input of inputs) {
      const lineEnd = output.indexOf(10, at);
      if (lineEnd < 0) throw this.invalid('cat-file', `no answer for ${input}`);
      const line = output.subarray(at, lineEnd).toString('utf8');
      at = lineEnd + 1;
      if (line === `${input} missing`) {
        if (withContent)
          throw new SpecError('GIT_OBJECT_INVALID', `git object ${input} is missing from the repository`, {
            data: { object: input },
          });
        answers.push({ input, oid: '', type: 'missing', size: 0 });
        continue;
      }
      const fields = /^([0-9a-f]+) ([a-z]+) (\d+)$/.exec(line);
      if (!fields || fields[1]!.length !== this.objectIdLength)
        throw this.invalid('cat-file', `the answer "${line}" for ${input}`);
      const size = Number(fields[3]);
      const answer: BatchAnswer = { input, oid: fields[1]!, type: fields[2]!, size };
      if (withContent) {
        if (at + size + 1 > output.length || output[at + size] !== 10)
          throw this.invalid('cat-file', `fewer bytes than the ${size} it announced for ${input}`);
        answer.content = new Uint8Array(output.subarray(at, at + size));
        at += size + 1;
      }
      answers.push(answer);
    }
    if (at !== output.length) throw this.invalid('cat-file', 'more than was asked for');
    return answers;
  }

  private failed(args: readonly string[], result: RunResult): SpecError {
    return new SpecError(
      'GIT_FAILED',
      `git ${args.join(' ')} failed (exit ${result.status}): ${result.stderrText || 'no message'}`,
      { data: { args: [...args], status: result.status } },
    );
  }

  private invalid(command: string, what: string): SpecError {
    return new SpecError('GIT_OBJECT_INVALID', `git ${command} answered with ${what}`, { data: { command } });
  }

  private run(args: readonly string[], input?: string): Promise<RunResult> {
    return new Promise((done, fail) => {
      const child = spawn(this.program, args, { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => undefined); // git may exit before reading everything; its status says why
      child.on('error', (cause) =>
        fail(
          new SpecError('GIT_FAILED', `cannot run ${this.program}: ${cause.message} (is git installed?)`, {
            data: { program: this.program },
            cause,
          }),
        ),
      );
      child.on('close', (status) =>
        done({
          status: status ?? 128,
          stdout: Buffer.concat(stdout),
          stderrText: Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(0, 3).join('; '),
        }),
      );
      child.stdin.end(input ?? '');
    });
  }
}

interface RunResult {
  status: number;
  stdout: Buffer;
  stderrText: string;
}

/** git's id of an object: sha1 (40 hex digits) or sha256 (64) of `type size\0content`. */
export function gitObjectId(type: string, content: Uint8Array, length = 40): string {
  const hash = createHash(length === 64 ? 'sha256' : 'sha1');
  hash.update(`${type} ${content.length}\0`);
  hash.update(content);
  return hash.digest('hex');
}

/** A path's `/`-separated names, as bytes. */
function splitNames(path: Uint8Array): Uint8Array[] {
  const names: Uint8Array[] = [];
  let start = 0;
  for (let at = 0; at <= path.length; at++)
    if (at === path.length || path[at] === 0x2f) {
      names.push(path.slice(start, at));
      start = at + 1;
    }
  return names;
}
