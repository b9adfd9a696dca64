import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlanFile } from '../../src/plan/planFile.js';
import { rewritePlan } from '../../src/plan/rewritePlan.js';
import { withPrototypes } from '../support/json.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const read = (text: string) => parsePlanFile(new TextEncoder().encode(text), 'p.yaml').planFile!;
const rewrite = (text: string, edits: Parameters<typeof rewritePlan>[1]) =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(rewritePlan(read(text), edits));
const pin = { path: ['snapshot'], value: digest, after: 'plan' };

const commented = `# header comment
plan: trailer   # the name

# steps follow
steps:
  - id: script            # first
    processor_ref: "text.llm"   # floating
    inputs: {prompt: 'Write it',   model: "m"}
`;

test('pinning inserts one line after plan and leaves every other byte alone', () => {
  const out = rewrite(commented, [pin]);
  const lines = commented.split('\n');
  assert.deepEqual(out.split('\n'), [...lines.slice(0, 2), `snapshot: ${digest}`, ...lines.slice(2)]);
});

test('re-pinning replaces only the value, keeping its quotes and trailing comment', () => {
  const before = commented.replace(
    'plan: trailer   # the name\n',
    `plan: trailer   # the name\nsnapshot: "sha256:${'00'.repeat(32)}"   # the pin\n`,
  );
  const out = rewrite(before, [pin]);
  assert.equal(out, before.replace('00'.repeat(32), 'ab'.repeat(32)));
});

test('locking rewrites only the ref, in its own quoting style', () => {
  const out = rewrite(commented, [{ path: ['steps', 0, 'processor_ref'], value: 'text.llm@2' }]);
  assert.equal(out, commented.replace('"text.llm"', '"text.llm@2"'));
  const plain = commented.replace('"text.llm"', 'text.llm');
  assert.equal(
    rewrite(plain, [{ path: ['steps', 0, 'processor_ref'], value: 'text.llm@2' }]),
    plain.replace('text.llm ', 'text.llm@2 '),
  );
  const single = commented.replace('"text.llm"', "'text.llm'");
  assert.equal(
    rewrite(single, [{ path: ['steps', 0, 'processor_ref'], value: 'text.llm@2' }]),
    single.replace("'text.llm'", "'text.llm@2'"),
  );
});

test('CRLF line endings and a byte-order mark survive a rewrite', () => {
  const crlf = `\uFEFF${commented.replace(/\n/g, '\r\n')}`;
  const out = rewrite(crlf, [pin]);
  assert.ok(out.startsWith('\uFEFF# header'));
  assert.equal(out.replace(/\r\n/g, '\n'), `\uFEFF${rewrite(commented, [pin])}`);
  assert.ok(!/[^\r]\n/.test(out), 'every line ends in CRLF');
});

test('a plan without `plan:` first still gets its pin; a flow-style plan is re-rendered but keeps its values', () => {
  const reordered = 'steps: []\n# name last\nplan: p\n';
  assert.equal(rewrite(reordered, [pin]), `steps: []\n# name last\nplan: p\nsnapshot: ${digest}\n`);
  const flow = '{plan: p, steps: []}\n';
  const out = rewrite(flow, [pin]);
  assert.deepEqual(withPrototypes(read(out).value), { plan: 'p', steps: [], snapshot: digest });
});

test('no edits, or edits to the same value, give the same bytes', () => {
  assert.equal(rewrite(commented, []), commented);
  assert.equal(rewrite(commented, [{ path: ['steps', 0, 'processor_ref'], value: 'text.llm' }]), commented);
});

test('pinning a plan whose snapshot is null, ~ or empty writes the id in place, keeping the comment after it', () => {
  for (const empty of ['null', '~', '', 'Null']) {
    const before = `plan: p\nsnapshot: ${empty}   # pinned by CI\nsteps: []\n`;
    assert.equal(
      rewrite(before, [pin]),
      `plan: p\nsnapshot: ${digest}   # pinned by CI\nsteps: []\n`,
      JSON.stringify(empty),
    );
    const bare = `plan: p\nsnapshot:${empty === '' ? '' : ` ${empty}`}\nsteps: []\n`;
    assert.equal(rewrite(bare, [pin]), `plan: p\nsnapshot: ${digest}\nsteps: []\n`, JSON.stringify(empty));
  }
  assert.equal(
    rewrite(`plan: p\nsteps: []\nsnapshot:\n`, [pin]),
    `plan: p\nsteps: []\nsnapshot: ${digest}\n`,
    'at the end of the file',
  );
});
