// Shared by the runtime tests: a registry of tools that run test/fixtures/runtime/tool.mjs, built into a memory store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestBytes } from '../../src/core/digest.js';
import { createRunner, type RunnerOptions } from '../../src/runtime/runner.js';
import { buildInMemory, plan } from '../plan/planFixtures.js';
import { repoRoot, tempDir } from '../support/cli.js';

export const fixtures = join(repoRoot, 'test/fixtures/runtime');
export const toolDigest = digestBytes(readFileSync(join(fixtures, 'tool.mjs')));

const ports = `inputs:
  - {name: "mode", type: "string", default: "echo"}
  - {name: "text", type: "string", default: "hi"}
  - {name: "marker", type: "string"}
  - {name: "state", type: "string"}
  - {name: "cost", type: "integer"}
outputs:
  - {name: "text", type: "string", required: true}
  - {name: "count", type: "integer"}
`;

const local = (id: string, extra = '') =>
  `id: "${id}"\nname: "${id}"\nadapter: "local"\nentry_point: "./tool.mjs"\ntimeout_s: 5\n${extra}${ports}`;

export function runtimeRegistry(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'tools/work.yaml': local('work@1'),
    'tools/quick.yaml': local('quick@1', 'timeout_s: 1\n').replace('timeout_s: 5\n', ''),
    'tools/pinned.yaml': local('pinned@1', `entry_point_digest: "${toolDigest}"\n`),
    'tools/wrong.yaml': local('wrong@1', `entry_point_digest: "sha256:${'0'.repeat(64)}"\n`),
    'tools/modal.yaml': local('modal@1').replace('adapter: "local"', 'adapter: "modal"'),
    'tools/gated.yaml': local(
      'gated@1',
      'predicates:\n  admission:\n    - {id: "budget.available@1", args: {required_usd_micro: 600}}\n',
    ),
    'tools/unjudged.yaml': local('unjudged@1', 'predicates:\n  admission:\n    - {id: "custom.check@1", args: {}}\n'),
    'tools/produces.yaml': local(
      'produces@1',
      'predicates:\n  success:\n    - {id: "artifact.exists@1", args: {path: "${outputs.text}"}}\n',
    ),
    'tools/reads.yaml': local(
      'reads@1',
      'predicates:\n  admission:\n    - {id: "artifact.exists@1", args: {path: "${inputs.text}"}}\n',
    ),
    'predicates/budget.yaml':
      'id: "budget.available@1"\nargs: {type: object, properties: {required_usd_micro: {type: integer}}}\n',
    'predicates/artifact.yaml': 'id: "artifact.exists@1"\nargs: {type: object, properties: {path: {type: string}}}\n',
    'predicates/custom.yaml': 'id: "custom.check@1"\nargs: {type: object}\n',
    'policies/p.yaml': 'id: "p@1"\nbudget: {max_usd_micro: 1000}\nretry: {max_attempts: 3, backoff_ms: [0]}\n',
    ...extra,
  };
}

/** A store holding the registry's snapshot, a runner over it, and a plan text maker pinned to it. */
export async function runtimeSetup(
  t: { after: (fn: () => unknown) => void },
  options: Partial<RunnerOptions> = {},
  extra: Record<string, string> = {},
) {
  const dir = tempDir('specstore-runtime-');
  t.after(dir.cleanup);
  const { store, snapshot } = await buildInMemory(join(dir.path, 'registry'), runtimeRegistry(extra));
  t.after(() => store.close());
  const runner = createRunner({
    store,
    workdir: fixtures,
    env: { PATH: process.env['PATH'] },
    runsDirectory: join(dir.path, 'runs'),
    ...options,
  });
  const planOf = (steps: string, head = 'policy: p@1\n') =>
    plan(`plan: demo\nsnapshot: ${snapshot}\n${head}steps:\n${steps}`, 'plans/demo.yaml');
  return { dir: dir.path, store, snapshot, runner, planOf };
}
