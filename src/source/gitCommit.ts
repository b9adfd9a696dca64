// The git commit a registry directory is checked out at, read from .git files (no git process), for build metadata.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function findGitCommit(directory: string): string | undefined {
  let current = resolve(directory);
  for (;;) {
    const gitPath = join(current, '.git');
    if (existsSync(gitPath)) return readHead(gitPath);
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function readHead(gitPath: string): string | undefined {
  try {
    let gitDir = gitPath;
    if (statSync(gitPath).isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(gitPath, 'utf8'));
      if (!pointer) return undefined;
      gitDir = resolve(dirname(gitPath), pointer[1]!.trim());
    }
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40,64}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    const refPath = join(gitDir, ref);
    if (existsSync(refPath)) return readFileSync(refPath, 'utf8').trim();
    const packed = join(gitDir, 'packed-refs');
    if (!existsSync(packed)) return undefined;
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      const [hash, name] = line.split(' ');
      if (name === ref && hash) return hash;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
