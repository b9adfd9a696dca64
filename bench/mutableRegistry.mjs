// A synthetic registry that changes: many valid specs and small random edits, for the soak benchmark and fault tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const words = [
  'render',
  'probe',
  'caption',
  'frame',
  'audio',
  'scene',
  'budget',
  'lease',
  'retry',
  'model',
  'prompt',
  'token',
  'metadata',
  'archive',
  'stream',
];

/** A deterministic pseudo-random generator (mulberry32), so a seed reproduces a run. */
export function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(random, length) {
  const out = [];
  for (let i = 0; i < length; i++) out.push(words[Math.floor(random() * words.length)]);
  return out.join(' ');
}

function schemaText(index, revision, random) {
  return `id: "gen.schema${index}@1"
description: "Generated schema ${index}, revision ${revision}: ${sentence(random, 12)}"
schema:
  type: "object"
  properties:
    title: {type: "string", maxLength: ${100 + revision}}
    count: {type: "integer", minimum: 0}
    note: {type: "string", description: "${sentence(random, 8)}"}
  required: ["title"]
`;
}

function toolText(index, revision, schemas, random) {
  const schema = index % schemas;
  return `id: "gen.tool${index}@1"
name: "Generated tool ${index}"
description: "Revision ${revision}: ${sentence(random, 20)}"
adapter: "local"
entry_point: "generated.tool${index}:run"
capabilities: ["gen.cap${index % 7}"]
timeout_s: ${10 + revision}
inputs:
  - name: "payload"
    schema: "gen.schema${schema}@1"
  - name: "mode"
    type: "string"
    default: "${sentence(random, 1)}"
outputs:
  - name: "result"
    type: "string"
`;
}

function policyText(index, revision) {
  return `id: "gen.policy${index}@1"
description: "Generated policy ${index}, revision ${revision}"
budget:
  max_usd_micro: ${1000 * (index + 1) + revision}
retry:
  max_attempts: ${1 + (revision % 5)}
  backoff_ms: [100, ${200 + revision}]
`;
}

/**
 * Writes `specs` specs (schemas, tools that reference them, policies) into `directory`. Returns a `mutate` function
 * that rewrites 1–3 random specs with a new revision (a new spec digest each time) and says which files it changed.
 */
export function generateRegistry(directory, { specs = 300, seed = 1 } = {}) {
  const random = createRandom(seed);
  const schemas = Math.max(1, Math.floor(specs * 0.3));
  const tools = Math.max(1, Math.floor(specs * 0.5));
  const policies = Math.max(1, specs - schemas - tools);
  for (const kind of ['schemas', 'tools', 'policies']) mkdirSync(join(directory, kind), { recursive: true });
  const files = [];
  const write = (file, index, revision) => {
    const path = join(directory, file.kind, `${file.kind}-${index}.yaml`);
    const text =
      file.kind === 'schemas'
        ? schemaText(index, revision, random)
        : file.kind === 'tools'
          ? toolText(index, revision, schemas, random)
          : policyText(index, revision);
    writeFileSync(path, text);
    return path;
  };
  for (let i = 0; i < schemas; i++) files.push({ kind: 'schemas', index: i, revision: 0 });
  for (let i = 0; i < tools; i++) files.push({ kind: 'tools', index: i, revision: 0 });
  for (let i = 0; i < policies; i++) files.push({ kind: 'policies', index: i, revision: 0 });
  for (const file of files) write(file, file.index, file.revision);
  let revision = 0;
  return {
    specs: files.length,
    mutate() {
      revision++;
      const count = 1 + Math.floor(random() * 3);
      const changed = [];
      for (let i = 0; i < count; i++) {
        const file = files[Math.floor(random() * files.length)];
        file.revision = revision;
        changed.push(write(file, file.index, file.revision));
      }
      return changed;
    },
  };
}
