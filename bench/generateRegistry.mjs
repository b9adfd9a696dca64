// The benchmark's own workload, equivalent to the reference generator (../shared/bench/gen-registry.mjs): per 4
// tools one schema, per 20 tools one policy, plus the two predicates the tools use. Deterministic for a seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const topics = [
  'text',
  'image',
  'audio',
  'video',
  'search',
  'embed',
  'rank',
  'summarize',
  'translate',
  'classify',
  'extract',
  'render',
  'transcode',
  'ocr',
  'detect',
  'caption',
  'plan',
  'route',
  'score',
  'fetch',
];
const jsonTypes = ['string', 'integer', 'number', 'boolean'];

/** A small linear congruential generator: the same seed gives the same registry on every machine. */
function randomSource(seed) {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { next, pick: (list) => list[Math.floor(next() * list.length)] };
}

export function toolSpec(index, random) {
  const topic = random.pick(topics);
  const version = 1 + Math.floor(random.next() * 3);
  return {
    name: `t${index}.${topic}.yaml`,
    text: `# tool ${index}
id: "t${index}.${topic}@${version}"
name: "Tool ${index} ${topic}"
adapter: "${random.pick(['local', 'modal', 'http'])}"
entry_point: "functions.${topic}_${index}"
capabilities: ["${topic}"]
inputs:
  - name: "prompt"
    type: "string"
    required: true
  - name: "model"
    type: "string"
    default: "gpt-4"
  - name: "temperature"
    type: "number"
    default: ${random.next().toFixed(2)}
outputs:
  - name: "${topic}"
    type: "string"
predicates:
  admission:
    - id: "budget.available@1"
      args: {required_usd_micro: ${Math.floor(random.next() * 10000)}}
  success:
    - id: "artifact.exists@1"
      args: {path: "\${outputs.${topic}_path}"}
`,
  };
}

/** Writes a registry with `tools` tools into `root`; returns the number of files. */
export function generateRegistry(root, tools, seed = 1) {
  const random = randomSource(seed);
  for (const directory of ['tools', 'schemas', 'policies', 'predicates'])
    mkdirSync(join(root, directory), { recursive: true });
  let files = 0;
  const schemas = Math.max(1, Math.floor(tools / 4));
  for (let i = 0; i < schemas; i++) {
    const fields = Array.from({ length: 3 + Math.floor(random.next() * 6) }, (_, k) => `${random.pick(topics)}_${k}`);
    const topic = random.pick(topics);
    const properties = fields.map((field) => `    ${field}: {type: "${random.pick(jsonTypes)}"}`).join('\n');
    writeFileSync(
      join(root, 'schemas', `s${i}.${topic}.yaml`),
      `# schema ${i}\nid: "s${i}.${topic}@1"\nschema:\n  type: "object"\n  properties:\n${properties}\n  required: ["${fields[0]}"]\n`,
    );
    files++;
  }
  const policies = Math.max(1, Math.floor(tools / 20));
  for (let i = 0; i < policies; i++) {
    writeFileSync(
      join(root, 'policies', `p${i}.yaml`),
      `id: "p${i}@1"\nbudget:\n  max_usd_micro: ${1000 + Math.floor(random.next() * 1e6)}\nretry:\n  max_attempts: ${1 + Math.floor(random.next() * 5)}\n  backoff_ms: [1000, 5000, 15000]\nleases:\n  default_ttl_s: 3600\n  enable_path_leases: true\n`,
    );
    files++;
  }
  for (let i = 0; i < tools; i++) {
    const { name, text } = toolSpec(i, random);
    writeFileSync(join(root, 'tools', name), text);
    files++;
  }
  addPredicates(root);
  return files + 2;
}

/** The two predicates every generated tool references (the reference generator leaves them out). */
export function addPredicates(root) {
  mkdirSync(join(root, 'predicates'), { recursive: true });
  writeFileSync(
    join(root, 'predicates', 'budget.available.yaml'),
    'id: "budget.available@1"\nargs:\n  type: "object"\n  properties:\n    required_usd_micro: {type: "integer", minimum: 0}\n  required: ["required_usd_micro"]\n',
  );
  writeFileSync(
    join(root, 'predicates', 'artifact.exists.yaml'),
    'id: "artifact.exists@1"\nargs:\n  type: "object"\n  properties:\n    path: {type: "string"}\n  required: ["path"]\n',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, count = '10000', seed = '1'] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node bench/generateRegistry.mjs OUT_DIR [TOOLS=10000] [SEED=1]');
    process.exit(2);
  }
  console.log(`${generateRegistry(out, Number(count), Number(seed))} files in ${out}`);
}
