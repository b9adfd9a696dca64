// The fast reader must give exactly the full path's value, or decline: on generated documents, mutated ones, every
// YAML file in the repository and the hazard fixtures. It must also accept the files specs are usually written as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseSimpleYaml } from '../../src/source/parseSimpleYaml.js';
import { defaultYamlLimits, parseYamlText } from '../../src/source/parseYamlSpec.js';
import { decodeSpecText } from '../../src/source/decodeSpecText.js';
import { generateRegistry } from '../../bench/generateRegistry.mjs';
import { tempDir } from '../support/cli.js';
import { withPrototypes } from '../support/json.js';

/** FAST_CHECK_SCALE=20 runs twenty times as many cases (for a long local check). */
const runScale = Number(process.env['FAST_CHECK_SCALE'] ?? 1);
const limits = { maxDepth: defaultYamlLimits.maxDepth, maxNodes: defaultYamlLimits.maxNodes };
const repository = fileURLToPath(new URL('../..', import.meta.url));

/** Returns whether the fast reader answered; fails if its answer differs from the full path's in any way. */
function agrees(text: string, where = 'generated'): boolean {
  const fast = parseSimpleYaml(text, limits.maxDepth, limits.maxNodes);
  if (fast === undefined) return false;
  const full = parseYamlText(text, 'spec.yaml', limits);
  assert.deepEqual(
    full.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`),
    [],
    `${where}: the fast reader accepted what the full path refuses:\n${text}`,
  );
  assert.deepStrictEqual(fast, full.value, `${where}: values differ for:\n${text}`); // strict: -0 and 0 differ
  return true;
}

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

// A renderer with the choices people make: block or flow, quoted or plain, comments, blank lines, compact items.
const keyArbitrary = fc.oneof(
  fc.constantFrom(
    'id',
    'name',
    'type',
    'a',
    'b',
    '$ref',
    'x-extra',
    'max_usd_micro',
    'a.b',
    'a/b',
    '1',
    'true',
    'null',
    'yes',
    '__proto__',
    '<<',
    'a b',
    'é',
  ),
  fc.string({
    unit: fc.constantFrom('a', 'B', '1', '_', '-', '.', '$', ' ', ':', '#', '"', "'", '\\', 'é', '[', ',', '{'),
    minLength: 1,
    maxLength: 6,
  }),
);
const scalarArbitrary = fc.oneof(
  fc.constantFrom(
    'gpt-4',
    'Tool 1 text',
    'functions.text_1',
    '${outputs.x}',
    'http://x',
    'a: b',
    'a #b',
    'a#b',
    '',
    ' lead',
    'trail ',
    'yes',
    'No',
    'True',
    'NULL',
    '~',
    '.inf',
    '-.inf',
    '.nan',
    '0x1F',
    '0o17',
    '0755',
    '1e3',
    '1_000',
    '+1',
    '-',
    '@x',
    '`x',
    '!x',
    '&a',
    '*a',
    '|',
    '>',
    '%x',
    '?',
    'é ü',
    '😀',
  ),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      '9',
      '.',
      '-',
      '+',
      '_',
      ' ',
      ':',
      '#',
      '"',
      "'",
      '\\',
      '/',
      '$',
      '@',
      'é',
      ',',
      ']',
      '}',
      'e',
      '\t',
    ),
    maxLength: 8,
  }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 9007199254740991, 9007199254740992, 0.5, -0.25, 1.5e-7, 123.456, 0.1, 1e21, 3.0),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
type Tree = unknown;
const treeArbitrary: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArbitrary, tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc.array(fc.tuple(keyArbitrary, tie('tree')), { maxLength: 4 }),
})).tree;

interface Style {
  next: () => number;
}

function renderScalar(value: unknown, style: Style): string {
  if (value === null) return ['null', '~', 'Null', ''][Math.floor(style.next() * 4)]!;
  if (typeof value === 'boolean') return style.next() < 0.8 ? String(value) : value ? 'True' : 'FALSE';
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return style.next() < 0.5 ? '-0' : '-0.0';
    const text = String(value);
    return style.next() < 0.2 ? `"${text}"` : style.next() < 0.1 ? `${text}0` : text;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const choice = style.next();
  if (choice < 0.4) return text; // plain, whatever it reads as
  if (choice < 0.7) return `"${text}"`;
  if (choice < 0.9) return `'${text}'`;
  return JSON.stringify(text);
}

function renderKey(key: string, style: Style): string {
  const choice = style.next();
  return choice < 0.7 ? key : choice < 0.85 ? `"${key}"` : `'${key}'`;
}

function renderFlow(value: unknown, style: Style): string {
  if (Array.isArray(value)) {
    if (
      value.every((item) => Array.isArray(item) && item.length === 2 && typeof item[0] === 'string') &&
      value.length > 0 &&
      style.next() < 0.5
    ) {
      const pairs = value as [string, unknown][];
      return `{${pairs.map(([k, v]) => `${renderKey(k, style)}: ${renderFlow(v, style)}`).join(style.next() < 0.8 ? ', ' : ',')}${style.next() < 0.1 ? ',' : ''}}`;
    }
    return `[${value.map((item) => renderFlow(item, style)).join(style.next() < 0.8 ? ', ' : ' ,')}${style.next() < 0.1 ? ', ' : ''}]`;
  }
  return renderScalar(value, style);
}

/** Objects are arrays of [key, value] pairs in the tree (so duplicate keys can happen); arrays are arrays. */
function isPairs(value: unknown): value is [string, unknown][] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => Array.isArray(item) && item.length === 2 && typeof item[0] === 'string')
  );
}

function renderBlock(value: unknown, indent: number, style: Style, lines: string[], prefix: string): void {
  const pad = ' '.repeat(indent);
  const comment = () => (style.next() < 0.1 ? ' # note' : '');
  if (style.next() < 0.05) lines.push(style.next() < 0.5 ? '' : `${' '.repeat(Math.floor(style.next() * 6))}# comment`);
  if (isPairs(value)) {
    value.forEach(([key, member], i) => {
      const head = i === 0 && prefix !== '' ? prefix : pad;
      if (typeof member === 'string' && style.next() < 0.2) {
        // A literal block scalar: the string's words as lines, with blank lines, comments-as-content, extra indentation.
        lines.push(`${head}${renderKey(key, style)}: ${style.next() < 0.5 ? '|' : '|-'}${comment()}`);
        const depth = indent + (style.next() < 0.9 ? 2 : 1);
        for (const word of member.split(' ')) {
          const extra = style.next() < 0.1 ? '  ' : '';
          lines.push(style.next() < 0.1 ? '' : `${' '.repeat(depth)}${extra}${style.next() < 0.1 ? '# ' : ''}${word}`);
        }
        if (style.next() < 0.2) lines.push('');
      } else if (Array.isArray(member) && member.length > 0 && style.next() < 0.7) {
        lines.push(`${head}${renderKey(key, style)}:${comment()}`);
        const sameIndent = !isPairs(member) && style.next() < 0.3;
        renderBlock(member, sameIndent ? indent : indent + (style.next() < 0.9 ? 2 : 4), style, lines, '');
      } else lines.push(`${head}${renderKey(key, style)}: ${renderFlow(member, style)}${comment()}`);
    });
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => {
      const head = i === 0 && prefix !== '' ? prefix : pad;
      if (typeof item === 'string' && style.next() < 0.1) {
        lines.push(`${head}- |`);
        for (const word of item.split(' ')) lines.push(`${pad}  ${word}`);
      } else if (isPairs(item) && style.next() < 0.6) renderBlock(item, indent + 2, style, lines, `${head}- `);
      else if (Array.isArray(item) && item.length > 0 && style.next() < 0.5) {
        lines.push(`${head}-`);
        renderBlock(item, indent + 2, style, lines, '');
      } else lines.push(`${head}- ${renderFlow(item, style)}${comment()}`);
    });
    return;
  }
  lines.push(`${prefix || pad}${renderFlow(value, style)}`);
}

function render(tree: Tree, seed: number): string {
  let state = seed >>> 0;
  const style: Style = { next: () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32 };
  const lines: string[] = [];
  renderBlock(
    isPairs(tree)
      ? tree
      : [
          ['id', 'x@1'],
          ['value', tree],
        ],
    0,
    style,
    lines,
    '',
  );
  return `${lines.join('\n')}\n`;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hazardCharacters = [
  '\t',
  '#',
  ':',
  '-',
  "'",
  '"',
  '\\',
  ' ',
  '\n',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '?',
  '@',
  '0',
  'a',
  '---\n',
  '...\n',
  '\n  ',
  '  ',
];

test('on generated documents the fast reader gives the full path value or declines, and accepts the plain ones', () => {
  let accepted = 0;
  let total = 0;
  fc.assert(
    fc.property(treeArbitrary, fc.integer(), (tree, seed) => {
      total++;
      if (agrees(render(tree, seed))) accepted++;
    }),
    { numRuns: 3000 * runScale },
  );
  // Most rendered documents are plain: a reader that declines everything would pass the checks above.
  assert.ok(accepted > total / 4, `accepted ${accepted} of ${total}`);
});

test('on mutated documents (hazard characters inserted, removed, replaced) it never gives a different value', () => {
  fc.assert(
    fc.property(
      treeArbitrary,
      fc.integer(),
      fc.array(
        fc.tuple(fc.nat(), fc.constantFrom(...hazardCharacters), fc.constantFrom('insert', 'replace', 'delete')),
        { minLength: 1, maxLength: 3 },
      ),
      (tree, seed, edits) => {
        let text = render(tree, seed);
        for (const [at, character, how] of edits) {
          const i = text.length === 0 ? 0 : at % text.length;
          text =
            how === 'insert'
              ? text.slice(0, i) + character + text.slice(i)
              : how === 'replace'
                ? text.slice(0, i) + character + text.slice(i + 1)
                : text.slice(0, i) + text.slice(i + 1);
        }
        // Decoded text never holds a lone surrogate (an edit can split an emoji's pair): such text cannot reach either path.
        if (!loneSurrogate.test(text)) agrees(text);
      },
    ),
    { numRuns: 6000 * runScale },
  );
});

test('hand-picked edge cases: the answer matches or the reader declines', () => {
  const cases = [
    'a: 1\n"a": 2\n',
    '1: a\n"1": b\n',
    'a: .nan\n',
    'a: .inf\n',
    'a: 9007199254740993\n',
    '%YAML 1.1\n---\na: yes\n',
    'a: 0755\n',
    'a: !!binary aGk=\n',
    'a: &x 1\nb: *x\n',
    'a: [a, b, ]\n',
    'a: {b: 1,}\n',
    'a:\n- - x\n',
    'a: "x"#c\n',
    'a: x# c\n',
    'a: [a: 1]\n',
    'a:\n  - b\n  c\n',
    'a: b\n  c\n',
    'a: {b:1}\n',
    'a:\n-\n- b\n',
    'a: -\n',
    'a:\n  b: 1\n c: 2\n',
    'a:\n    b: 1\n  c: 2\n',
    'a: 1\n  # indented comment\nb: 2\n',
    '- a\n',
    'a\n',
    '',
    '# only a comment\n',
    'a: "multi\n  line"\n',
    'a: [1,\n  2]\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    '? a\n: b\n',
    'a: b: c\n',
    '__proto__: 1\n',
    '"__proto__": 1\n',
    'a:\n  - b: 1\n    c: 2\n  - d\n',
    'a:\n  - b: 1\n   c: 2\n',
    'a: 1 # c\nb: "x" # c\nc: [1] # c\n',
    'a:    spaced\n',
    'a: -0\nb: -0.0\nc: 0.0\n',
    'a: 1.0\nb: 5.\nc: 0.1e1\n',
    'a: 123456789012345\nb: 1234567890123456\n',
    'a: 00\n',
    'a: -01\n',
    'a: "\\u00e9"\n',
    "a: 'it''s'\n",
    'a: "ü 😀"\n',
    'a: x\n---\nb: y\n',
    'a: x\n...\n',
    'a:\tb\n',
    '\ta: b\n',
    'a: b\u00a0c\n',
    'a: {}\nb: []\nc: [[], {}]\n',
    'a: [{b: [c, {d: e}]}]\n',
    'a: |\n  x\n  y',
    'a: |\n  x\n\n',
    'a: |-\n  x\n\n  y  \n\nb: 1\n',
    'a: |\n  x\n   y\n  # c\n# d\nb: 1\n',
    'a: |\n\n  x\n',
    'a: |\n  x\n    \n  y\n',
    'a: |+\n  x\n\n',
    'a: |2\n   x\n',
    'a: >\n  x\n',
    'a: |\nb: 1\n',
    'a: |\n  x\n y: 1\n',
  ];
  let accepted = 0;
  for (const text of cases) if (agrees(text, JSON.stringify(text))) accepted++;
  assert.ok(accepted >= 9, `accepted ${accepted}`);
});

test('every YAML file in the repository and every hazard fixture: same value or declined', () => {
  const files = [
    ...yamlFiles(join(repository, 'registry')),
    ...yamlFiles(join(repository, 'examples')),
    ...yamlFiles(join(repository, 'test/fixtures')),
  ];
  assert.ok(files.length > 50);
  for (const file of files) {
    const decoded = decodeSpecText(readFileSync(file));
    if (decoded.problem === undefined) agrees(decoded.text, file);
  }
  for (const name of readdirSync(join(repository, 'test/fixtures/hazards'))) {
    const decoded = decodeSpecText(readFileSync(join(repository, 'test/fixtures/hazards', name)));
    if (decoded.problem === undefined)
      assert.equal(agrees(decoded.text, name), false, `${name} is a hazard: the full path must see it`);
  }
});

test('the files specs are usually written as take the fast path: the bundled registry and the benchmark workload', () => {
  for (const file of yamlFiles(join(repository, 'registry'))) {
    assert.ok(agrees(decodeSpecText(readFileSync(file)).text ?? '', file), `${file} should be read by the fast reader`);
  }
  const directory = tempDir('simple-yaml-');
  try {
    generateRegistry(directory.path, 200);
    const files = yamlFiles(directory.path);
    assert.ok(files.length > 250);
    for (const file of files)
      assert.ok(agrees(readFileSync(file, 'utf8'), file), `${file} should be read by the fast reader`);
  } finally {
    directory.cleanup();
  }
});

test('limits: a text that could reach the node limit, or nesting at the depth limit, is left to the full path', () => {
  const nested = (levels: number) =>
    Array.from({ length: levels }, (_, i) => `${' '.repeat(2 * i)}k:`).join('\n') + ' 1\n';
  assert.deepEqual(withPrototypes(parseSimpleYaml(nested(3), 10, 1000)), { k: { k: { k: 1 } } });
  assert.equal(parseSimpleYaml(nested(10), 10, 1000), undefined);
  assert.equal(parseSimpleYaml('a: [[[[[[[[[[1]]]]]]]]]]\n', 10, 1000), undefined);
  assert.equal(parseSimpleYaml(`a: "${'x'.repeat(2000)}"\n`, 10, 1000), undefined);
  assert.equal(parseSimpleYaml('a: 1\n', 10, 8), undefined);
});
