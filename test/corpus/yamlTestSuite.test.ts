// The official YAML test suite (yaml/yaml-test-suite, MIT) through the reader `spec build` uses: a valid case is
// read as exactly the suite's JSON or refused by a documented rule that the case visibly breaks; an invalid case is
// always refused; the fast path, whenever it answers, agrees with the full path. A few cases go through `spec build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlSpec, parseYamlText, parseYamlValue, defaultYamlLimits } from '../../src/source/parseYamlSpec.js';
import { parseSimpleYaml } from '../../src/source/parseSimpleYaml.js';
import { decodeSpecText } from '../../src/source/decodeSpecText.js';
import { digestValue } from '../../src/core/digest.js';
import type { JsonValue } from '../../src/core/json.js';
import { json, repoRoot, runSpec, sharedDir, tempDir } from '../support/cli.js';

const suite = join(sharedDir, 'corpus/yaml-test-suite/data');
const missing = existsSync(suite) ? undefined : `${suite} is missing (the yaml-test-suite corpus in ../shared)`;
if (missing !== undefined && process.env['CI'] === 'true') {
  test('the yaml-test-suite corpus is present in CI', () => assert.fail(missing));
}
const limits = { maxDepth: defaultYamlLimits.maxDepth, maxNodes: defaultYamlLimits.maxNodes };

/** The codes of docs/specs.md's YAML rules table: every refusal must name one of them. */
function documentedYamlCodes(): Set<string> {
  const docs = readFileSync(join(repoRoot, 'docs/specs.md'), 'utf8');
  const section = docs.slice(docs.indexOf('\n## YAML'), docs.indexOf('\n## ', docs.indexOf('\n## YAML') + 1));
  return new Set(
    [...section.matchAll(/^\|.*\|.*$/gm)].flatMap((row) =>
      [...row[0].matchAll(/`(YAML_[A-Z_]+)`/g)].map((match) => match[1]!),
    ),
  );
}

interface SuiteCase {
  name: string;
  dir: string;
  title: string;
  yaml: Uint8Array;
  invalid: boolean;
  /** The suite's JSON: one value per document. */
  json?: JsonValue[];
  events: EventNode[];
}

/** Cases are data/ID/ or, for a case with variants, data/ID/NN/; data/name and data/tags only point at them. */
function loadCases(): SuiteCase[] {
  const dirs: { name: string; dir: string }[] = [];
  for (const id of readdirSync(suite).sort()) {
    if (id === 'name' || id === 'tags') continue;
    const dir = join(suite, id);
    if (existsSync(join(dir, 'in.yaml'))) dirs.push({ name: id, dir });
    else
      for (const variant of readdirSync(dir).sort()) dirs.push({ name: `${id}/${variant}`, dir: join(dir, variant) });
  }
  return dirs.map(({ name, dir }) => {
    const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
    const suiteCase: SuiteCase = {
      name,
      dir,
      title: read('===').trim(),
      yaml: readFileSync(join(dir, 'in.yaml')),
      invalid: existsSync(join(dir, 'error')),
      events: parseEvents(read('test.event')),
    };
    if (existsSync(join(dir, 'in.json'))) suiteCase.json = parseJsonStream(read('in.json'));
    return suiteCase;
  });
}

/** in.json holds one JSON text per document, one after the other. */
function parseJsonStream(text: string): JsonValue[] {
  const values: JsonValue[] = [];
  let start = 0;
  for (;;) {
    while (start < text.length && /\s/.test(text[start]!)) start++;
    if (start === text.length) return values;
    let end = start + 1;
    for (; end <= text.length; end++) {
      if (end < text.length && !/\s/.test(text[end]!)) continue; // each value ends at white space or the end
      try {
        values.push(JSON.parse(text.slice(start, end)) as JsonValue);
        break;
      } catch {
        // not yet a whole value
      }
    }
    assert.ok(end <= text.length, `in.json does not parse at ${start}`);
    start = end;
  }
}

/** The suite's event stream as a tree: documents, collections, scalars (with style) and aliases. */
interface EventNode {
  type: 'doc' | 'map' | 'seq' | 'val' | 'alias';
  anchor?: string;
  tag?: string;
  style?: string | undefined;
  value?: string;
  children: EventNode[];
}

function parseEvents(text: string): EventNode[] {
  const documents: EventNode[] = [];
  const stack: EventNode[] = [];
  const innermost = (): EventNode => {
    const node = stack[stack.length - 1];
    assert.ok(node, 'an event outside any document or collection');
    return node;
  };
  for (const line of text.split('\n')) {
    const kind = line.slice(0, 4);
    const rest = line.slice(5);
    if (kind === '+DOC') {
      const document: EventNode = { type: 'doc', children: [] };
      documents.push(document);
      stack.push(document);
    } else if (kind === '+MAP' || kind === '+SEQ') {
      const node: EventNode = { type: kind === '+MAP' ? 'map' : 'seq', children: [], ...properties(rest) };
      innermost().children.push(node);
      stack.push(node);
    } else if (kind === '-MAP' || kind === '-SEQ' || kind === '-DOC') stack.pop();
    else if (kind === '=VAL') {
      const { anchor, tag, rest: scalar } = properties(rest);
      const node: EventNode = { type: 'val', children: [], style: scalar[0], value: unescapeEvent(scalar.slice(1)) };
      if (anchor !== undefined) node.anchor = anchor;
      if (tag !== undefined) node.tag = tag;
      innermost().children.push(node);
    } else if (kind === '=ALI') innermost().children.push({ type: 'alias', children: [] });
  }
  return documents;
}

function properties(text: string): { anchor?: string; tag?: string; rest: string } {
  const found: { anchor?: string; tag?: string; rest: string } = { rest: text };
  for (;;) {
    const match = /^(?:\{\}|\[\]) ?|^&(\S+) ?|^<([^>]*)> ?/.exec(found.rest);
    if (match === null) return found;
    if (match[1] !== undefined) found.anchor = match[1];
    if (match[2] !== undefined) found.tag = match[2];
    found.rest = found.rest.slice(match[0].length);
  }
}

function unescapeEvent(text: string): string {
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    b: '\b',
    r: '\r',
    '0': '\0',
    f: '\f',
    v: '\v',
    e: '\x1b',
    a: '\x07',
    '\\': '\\',
  };
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, escape: string) =>
    escape.length > 1 ? String.fromCodePoint(parseInt(escape.slice(1), 16)) : (escapes[escape] ?? escape),
  );
}

/** What YAML 1.2's core schema makes of a plain scalar; a number JSON cannot carry exactly is `unsafe`. */
function resolvePlain(source: string): JsonValue | { unsafe: string } {
  if (/^(?:~|null|Null|NULL|)$/.test(source)) return null;
  if (/^(?:true|True|TRUE)$/.test(source)) return true;
  if (/^(?:false|False|FALSE)$/.test(source)) return false;
  let integer: bigint | undefined;
  if (/^[-+]?[0-9]+$/.test(source)) integer = BigInt(source.replace(/^\+/, ''));
  else if (/^0o[0-7]+$/.test(source)) integer = BigInt(source);
  else if (/^0x[0-9a-fA-F]+$/.test(source)) integer = BigInt(source);
  if (integer !== undefined)
    return integer >= -(2n ** 53n - 1n) && integer <= 2n ** 53n - 1n ? Number(integer) || 0 : { unsafe: source };
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(source)) {
    const number = Number(source);
    return Number.isFinite(number) && !(Number.isInteger(number) && !Number.isSafeInteger(number))
      ? number || 0
      : { unsafe: source };
  }
  if (/^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/.test(source)) return { unsafe: source };
  return source;
}

/** Which documented rules a case visibly breaks, read from its events and text, and its value when it breaks none. */
interface Expectation {
  breaks: Set<string>;
  value?: JsonValue;
}

function expectationOf(suiteCase: SuiteCase, text: string): Expectation {
  const breaks = new Set<string>();
  const documents = suiteCase.events;
  if (documents.length > 1) breaks.add('YAML_MULTIPLE_DOCUMENTS');
  if (breaksDirectiveRule(text)) breaks.add('YAML_DIRECTIVE');
  const top = documents[0]?.children[0];
  if (top === undefined || (top.type === 'val' && top.style === ':' && top.value === '' && top.tag === undefined))
    breaks.add('YAML_EMPTY');
  else if (top.type !== 'map') breaks.add('YAML_NOT_A_MAPPING');
  const build = (node: EventNode): JsonValue => {
    if (node.anchor !== undefined) breaks.add('YAML_ALIAS');
    if (node.tag !== undefined) breaks.add('YAML_TAG');
    if (node.type === 'alias') {
      breaks.add('YAML_ALIAS');
      return null;
    }
    if (node.type === 'seq') return node.children.map(build);
    if (node.type === 'map') {
      const object: Record<string, JsonValue> = {};
      for (let i = 0; i < node.children.length; i += 2) {
        const key = node.children[i];
        const memberNode = node.children[i + 1];
        assert.ok(key && memberNode, 'map events come in key/value pairs');
        const member = build(memberNode);
        build(key); // for the rules a complex key breaks
        // Keys are read as the strings they are written as (docs/specs.md); an empty key is null, not a string.
        if (key.type !== 'val' || (key.style === ':' && key.value === '')) breaks.add('YAML_NON_STRING_KEY');
        else if (key.style === ':' && key.value === '<<') breaks.add('YAML_ALIAS');
        const written = key.value ?? JSON.stringify(key);
        if (Object.hasOwn(object, written)) breaks.add('YAML_DUPLICATE_KEY');
        Object.defineProperty(object, written, { value: member, enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    if (node.style !== ':') return node.value!;
    const resolved = resolvePlain(node.value!);
    if (resolved !== null && typeof resolved === 'object' && 'unsafe' in resolved) {
      breaks.add('YAML_NOT_JSON');
      return null;
    }
    return resolved as JsonValue;
  };
  // Every document is checked (the reader looks at the whole file); the value is that of the only one.
  const values = documents.map((document) => (document.children[0] === undefined ? null : build(document.children[0])));
  const expectation: Expectation = { breaks };
  if (documents.length <= 1) expectation.value = suiteCase.json?.[0] ?? values[0] ?? null; // an empty stream is null
  return expectation;
}

/** Directives are the `%` lines at the start of the stream or after a `...`; only one `%YAML 1.2` is allowed. */
function breaksDirectiveRule(text: string): boolean {
  let directives: string[] | undefined = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('...')) directives = [];
    else if (directives !== undefined && line.startsWith('%')) {
      directives.push(line);
      if (!/^%YAML[\t ]+1\.2[\t ]*$/.test(line) || directives.length > 1) return true;
    } else if (!/^[ \t]*(?:#.*)?$/.test(line)) directives = undefined;
  }
  return false;
}

const codesOf = (diagnostics: { code: string }[]): string[] =>
  [...new Set(diagnostics.map((diagnostic) => diagnostic.code))].sort();

test(
  'every case of the YAML test suite is read as the suite says, or refused by a documented rule it breaks',
  { skip: missing },
  (t) => {
    const documented = documentedYamlCodes();
    const cases = loadCases();
    const counts = {
      cases: cases.length,
      invalid: 0,
      matched: 0,
      matchedAnyTop: 0,
      fastPath: 0,
      refused: new Map<string, number>(),
      mismatches: [] as string[],
    };
    const problem = (suiteCase: SuiteCase, what: string): void => {
      counts.mismatches.push(`${suiteCase.name} (${suiteCase.title}): ${what}`);
    };
    for (const suiteCase of cases) {
      const result = parseYamlSpec(suiteCase.yaml, 'in.yaml');
      const codes = codesOf(result.diagnostics);
      for (const code of codes)
        if (!documented.has(code)) problem(suiteCase, `refused with ${code}, which docs/specs.md does not document`);
      const decoded = decodeSpecText(suiteCase.yaml);
      const text = decoded.text ?? '';

      // (c) The fast path answers only with the full path's value.
      const fast = parseSimpleYaml(text, limits.maxDepth, limits.maxNodes);
      if (fast !== undefined) {
        counts.fastPath++;
        const full = parseYamlText(text, 'in.yaml', limits);
        if (full.diagnostics.length > 0)
          problem(
            suiteCase,
            `the fast path accepts what the full path refuses (${codesOf(full.diagnostics).join(', ')})`,
          );
        else if (!isDeepStrictEqual(fast, full.value))
          problem(suiteCase, 'the fast path and the full path read different values');
      }

      if (suiteCase.invalid) {
        counts.invalid++;
        // (a) Invalid YAML is refused, and the refusal names what is wrong in the text, not a rule it happens to break.
        if (result.value !== undefined) problem(suiteCase, 'invalid YAML accepted');
        else if (!codes.some((code) => ['YAML_SYNTAX', 'YAML_DIRECTIVE', 'YAML_TAG', 'YAML_ALIAS'].includes(code))) {
          problem(suiteCase, `invalid YAML refused only for ${codes.join(', ')}, not for what makes it invalid`);
        }
        continue;
      }

      // (b) A valid case: exactly the suite's value, or refused by documented rules, each of which the case breaks.
      const expected = expectationOf(suiteCase, text);
      if (result.value !== undefined) {
        if (expected.breaks.size > 0)
          problem(suiteCase, `accepted though it breaks ${[...expected.breaks].join(', ')}`);
        else if (!sameJson(result.value, expected.value))
          problem(
            suiteCase,
            `read as ${JSON.stringify(result.value)}, the suite says ${JSON.stringify(expected.value)}`,
          );
        else counts.matched++;
      } else {
        if (codes.length === 0) problem(suiteCase, 'refused without a diagnostic');
        for (const code of codes) {
          if (!expected.breaks.has(code))
            problem(
              suiteCase,
              `refused with ${code}, a rule it does not break (it breaks ${[...expected.breaks].join(', ') || 'none'})`,
            );
          counts.refused.set(code, (counts.refused.get(code) ?? 0) + 1);
        }
      }
      // The same rules on a document of any top (not only a mapping): its value is the suite's too.
      const anyTop = parseYamlValue(text, 'in.yaml', limits);
      const breaksBesidesTop = [...expected.breaks].filter(
        (code) => code !== 'YAML_NOT_A_MAPPING' && code !== 'YAML_EMPTY',
      );
      if (anyTop.value !== undefined) {
        if (breaksBesidesTop.length > 0)
          problem(suiteCase, `read at any top though it breaks ${breaksBesidesTop.join(', ')}`);
        else if (!sameJson(anyTop.value, expected.value))
          problem(
            suiteCase,
            `read at any top as ${JSON.stringify(anyTop.value)}, the suite says ${JSON.stringify(expected.value)}`,
          );
        else {
          counts.matchedAnyTop++;
          // The node limit counts the JSON value, whatever the style: exactly its nodes are allowed, one fewer is not.
          const nodes = jsonNodes(anyTop.value);
          if (parseYamlValue(text, 'in.yaml', { ...limits, maxNodes: nodes }).value === undefined)
            problem(suiteCase, `refused with maxNodes ${nodes}, its node count`);
          const fewer = parseYamlValue(text, 'in.yaml', { ...limits, maxNodes: nodes - 1 });
          if (nodes > 1 && codesOf(fewer.diagnostics).join() !== 'YAML_TOO_MANY_NODES')
            problem(suiteCase, `with maxNodes ${nodes - 1}: ${codesOf(fewer.diagnostics).join() || 'read'}`);
        }
      } else if (breaksBesidesTop.length === 0 && decoded.text !== undefined) {
        problem(suiteCase, `refused at any top (${codesOf(anyTop.diagnostics).join(', ')}) though it breaks no rule`);
      }
    }
    const refused = [...counts.refused]
      .sort()
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    t.diagnostic(
      `${counts.cases} cases: ${counts.invalid} invalid (all refused), ${counts.matched} valid read as the suite's JSON, ` +
        `${counts.matchedAnyTop} read so at any top, fast path answered ${counts.fastPath}; refused by rule: ${refused}; ` +
        `mismatches: ${counts.mismatches.length}`,
    );
    assert.deepEqual(counts.mismatches, []);
    assert.ok(counts.cases > 350 && counts.matched > 80 && counts.matchedAnyTop > 200, 'the corpus is the whole suite');
  },
);

/** Nodes of a JSON value as docs/specs.md counts them: every value (null included) and every key. */
function jsonNodes(value: JsonValue): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + jsonNodes(item), 1);
  if (value === null || typeof value !== 'object') return 1;
  return Object.values(value).reduce((sum: number, member) => sum + 1 + jsonNodes(member), 1);
}

/** Deep equality of JSON values, and the same digest after canonicalisation (what a snapshot would store). */
function sameJson(actual: JsonValue, expected: JsonValue | undefined): boolean {
  if (expected === undefined || !isDeepStrictEqual(actual, expected)) return false;
  return digestValue(actual).digest === digestValue(expected).digest;
}

/** The same JSON value, whatever the objects' prototypes (the reader's objects have none; the suite's have one). */
function isDeepStrictEqual(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual) || Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      Array.isArray(expected) &&
      actual.length === expected.length &&
      actual.every((item, i) => isDeepStrictEqual(item, expected[i]))
    );
  }
  if (actual === null || expected === null || typeof actual !== 'object' || typeof expected !== 'object')
    return Object.is(actual, expected);
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  return (
    actualKeys.length === expectedKeys.length &&
    actualKeys.every(
      (key) =>
        Object.hasOwn(expected, key) &&
        isDeepStrictEqual((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]),
    )
  );
}

test(
  'cases of the YAML test suite through `spec build`: read values are stored as the suite says, refusals exit 1 with their rule',
  { skip: missing },
  (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const cases = loadCases();
    // Valid mappings in block style whose text can be indented under a key as it is.
    const indentable = (text: string): boolean =>
      !/\t|^(?:---|\.\.\.|%)|[|>][0-9+-]*\s*$|^\S.*[|>]|"[^"]*\n|'[^']*\n/m.test(text);
    const readable = cases
      .filter((suiteCase) => {
        if (suiteCase.invalid || suiteCase.json?.length !== 1) return false;
        const value = parseYamlSpec(suiteCase.yaml, 'in.yaml').value;
        return (
          value !== undefined &&
          indentable(Buffer.from(suiteCase.yaml).toString('utf8')) &&
          isDeepStrictEqual(value, suiteCase.json[0])
        );
      })
      .slice(0, 8);
    const refused = cases
      .filter((suiteCase) => parseYamlSpec(suiteCase.yaml, 'in.yaml').value === undefined)
      .filter((_, i) => i % 40 === 0);
    assert.ok(readable.length === 8 && refused.length >= 4);

    const good = join(dir.path, 'good');
    mkdirSync(join(good, 'policies'), { recursive: true });
    readable.forEach((suiteCase, i) => {
      const body = Buffer.from(suiteCase.yaml)
        .toString('utf8')
        .replace(/^(?=.)/gm, '  ');
      writeFileSync(
        join(good, 'policies', `case${i}.yaml`),
        `id: "case${i}@1"\nx-case:\n${body}${body.endsWith('\n') ? '' : '\n'}`,
      );
    });
    const store = join(dir.path, 'store');
    const built = runSpec(['build', '--registry', good, '--store', store, '--json']);
    assert.equal(built.status, 0, built.stderr);
    readable.forEach((suiteCase, i) => {
      const shown = runSpec(['show', 'latest', `case${i}@1`, '--store', store, '--json']);
      assert.equal(shown.status, 0, shown.stderr);
      assert.deepStrictEqual(json(shown)['x-case'], suiteCase.json![0], `${suiteCase.name} (${suiteCase.title})`);
    });

    const bad = join(dir.path, 'bad');
    mkdirSync(join(bad, 'policies'), { recursive: true });
    const expectedCodes = new Map<string, string[]>();
    refused.forEach((suiteCase, i) => {
      writeFileSync(join(bad, 'policies', `case${i}.yaml`), suiteCase.yaml);
      expectedCodes.set(`case${i}.yaml`, codesOf(parseYamlSpec(suiteCase.yaml, 'in.yaml').diagnostics));
    });
    const failed = runSpec(['build', '--registry', bad, '--store', store, '--json']);
    assert.equal(failed.status, 1, failed.stderr);
    const error = json<{ error: { code: string; diagnostics: { code: string; file: string; line?: number }[] } }>(
      failed,
    ).error;
    assert.equal(error.code, 'INVALID_INPUT');
    for (const [file, codes] of expectedCodes) {
      const found = error.diagnostics.filter((diagnostic) => diagnostic.file.endsWith(file));
      assert.deepEqual(codesOf(found), codes, file);
      assert.ok(
        found.every((diagnostic) => diagnostic.line !== undefined),
        `${file}: every problem has a position`,
      );
    }
  },
);
