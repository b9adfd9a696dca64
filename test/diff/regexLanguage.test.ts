// Pattern languages as automata: equal languages written differently, inclusion each way with a witness, finite
// languages, what is not modelled; and generated patterns held to the validation engine (re2js), which is the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  automatonMatches,
  commonMatch,
  comparePatternLanguages,
  finiteLanguage,
  patternInclusion,
  patternStateBudget,
} from '../../src/diff/regexLanguage.js';
import { compileLinearRegExp } from '../../src/validate/linearRegExp.js';

const matches = (pattern: string, text: string): boolean => compileLinearRegExp(pattern).test(text);

/** Asserts `a` and `b` admit the same strings, both ways. */
function assertEqualLanguages(a: string, b: string): void {
  assert.deepEqual(patternInclusion(a, b), { included: true }, `${a} ⊆ ${b}`);
  assert.deepEqual(patternInclusion(b, a), { included: true }, `${b} ⊆ ${a}`);
  assert.deepEqual(comparePatternLanguages(a, b), { aNotB: undefined, bNotA: undefined });
}

/** Asserts `a` ⊄ `b` with a witness the real engine agrees on. */
function assertNotIncluded(a: string, b: string): string {
  const answer = patternInclusion(a, b);
  assert.ok(answer !== undefined && !answer.included, `${a} ⊄ ${b}`);
  assert.ok(matches(a, answer.witness), `${a} matches ${JSON.stringify(answer.witness)}`);
  assert.ok(!matches(b, answer.witness), `${b} does not match ${JSON.stringify(answer.witness)}`);
  return answer.witness;
}

const equalPairs: [string, string][] = [
  ['[0-9]', '\\d'],
  ['a|b', '[ab]'],
  ['(ab)*', '(?:ab)*'],
  ['^(?<pair>ab)*$', '^(?:ab)*$'],
  ['^a+$', '^aa*$'],
  ['^a+?$', '^a+$'],
  ['^a{2,3}$', '^aaa?$'],
  ['^a{2,}$', '^aaa*$'],
  ['^a{2}$', '^aa$'],
  ['^[^a]$', '^(?:[\\0-`]|[b-\\u{10FFFF}])$'],
  ['^\\w+$', '^[A-Za-z0-9_]+$'],
  ['^\\W$', '^[^A-Za-z0-9_]$'],
  ['^\\D$', '^[^0-9]$'],
  ['^\\s$', '^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]$'],
  ['^\\S$', '^[^\\s]$'],
  ['^.$', '^[^\\n\\r\\u2028\\u2029]$'],
  ['^\\x41\\u0042\\u{43}\\cJ$', '^ABC\\n$'],
  ['^\\uD83D\\uDE00$', '^\\u{1F600}$'],
  ['^[a-c-e]$', '^[a-ce-]$'],
  ['^\\$\\{$', '^[$][{]$'],
  // Unanchored search: a pattern is matched anywhere, so these admit the same strings.
  ['a', '.*a'],
  ['a', 'a+'],
  ['ab|a', 'a'],
  ['', '^'],
  ['', 'x*'],
  ['^$', '^(?:)$'],
  ['$^', '^$'],
  ['(?:^a|^b)', '^[ab]'],
  ['^a|b$', 'b$|^a'],
];

for (const [a, b] of equalPairs) {
  test(`same language: ${a} and ${b}`, () => {
    assertEqualLanguages(a, b);
  });
}

test('widened, narrowed and incomparable patterns, each with a witness the engine confirms', () => {
  // widened: the new admits more
  assertEqualLanguages('^[a-z]+$', '^[a-z]+$');
  assert.deepEqual(patternInclusion('^[a-z]+$', '^[a-z0-9]+$'), { included: true });
  assert.equal(assertNotIncluded('^[a-z0-9]+$', '^[a-z]+$'), '0');
  // narrowed: a bound on the repeat
  assert.deepEqual(patternInclusion('^a{2,3}$', '^a+$'), { included: true });
  assert.equal(assertNotIncluded('^a+$', '^a{2,3}$'), 'a');
  // the fabric.mod change: an id, or now also a `${…}` placeholder
  const fabricOld = '^[a-z][a-z0-9-_]{1,63}$';
  const fabricNew = '^(?:[a-z][a-z0-9-_]{1,63}|[$]\\{[a-zA-Z0-9-_]+\\})$';
  assert.deepEqual(patternInclusion(fabricOld, fabricNew), { included: true });
  assert.match(assertNotIncluded(fabricNew, fabricOld), /^\$\{.+\}$/);
  // incomparable: each admits a string the other does not
  const both = comparePatternLanguages('^a', '^b');
  assert.deepEqual(both, { aNotB: 'a', bNotA: 'b' });
  assertNotIncluded('^a|b$', '^a');
  assertNotIncluded('^a', '^a|b$'.replace('^a|', ''));
  // anchors inside alternations and repeats: `(^a)*b` needs the a at the start
  assert.equal(assertNotIncluded('(?:^a)*b', 'ab'), 'b');
  assertNotIncluded('ab', '(?:^a)+b');
  // `.` leaves out line terminators, `[^]` does not
  assert.equal(assertNotIncluded('^[^]$', '^.$'), '\n');
  // an empty class admits nothing; everything includes it
  assert.deepEqual(patternInclusion('[]', '^a$'), { included: true });
  assertNotIncluded('^a$', '[]');
});

test('finiteLanguage lists the strings of an anchored finite pattern, and only then', () => {
  assert.deepEqual(finiteLanguage('^(?:red|green|blu[eo])$', 10), ['blue', 'bluo', 'green', 'red']);
  assert.deepEqual(finiteLanguage('^[ab]{2}$', 10), ['aa', 'ab', 'ba', 'bb']);
  assert.deepEqual(finiteLanguage('^(?:)$', 10), ['']);
  assert.deepEqual(finiteLanguage('^a?$', 10), ['', 'a']);
  assert.equal(finiteLanguage('^a+$', 10), undefined, 'infinite');
  assert.equal(finiteLanguage('^a', 10), undefined, 'unanchored at the end: any suffix');
  assert.equal(finiteLanguage('^[a-z]{3}$', 100), undefined, 'more than the limit');
  assert.equal(finiteLanguage('^[a-z]$', 30)?.length, 26);
  assert.equal(finiteLanguage('^(a)\\1$', 10), undefined, 'not modelled');
});

test('constructs not modelled, invalid patterns and a spent budget are undefined, never a verdict', () => {
  for (const pattern of [
    '(a)\\1',
    '(?<n>a)\\k<n>',
    'a(?=b)',
    'a(?!b)',
    '(?<=a)b',
    '(?<!a)b',
    '\\ba',
    'a\\B',
    '\\p{L}',
    '[',
  ]) {
    assert.equal(patternInclusion(pattern, 'a'), undefined, pattern);
    assert.equal(patternInclusion('a', pattern), undefined, pattern);
    assert.equal(automatonMatches(pattern, 'a'), undefined, pattern);
  }
  // a(any 12 characters)b against the same with c: the subset construction grows past a small budget
  const wide = '^(?:a|b)*a.{12}$';
  assert.equal(patternInclusion(wide, '^(?:a|b)*a.{11}$', 50), undefined);
  assert.equal(patternInclusion(wide, '^(?:a|b)*a.{12}$', 50), undefined);
  assert.ok(patternStateBudget >= 1_000);
  assert.deepEqual(patternInclusion('^(?:a|b)*a.{3}$', '^(?:a|b)*a.{3}$'), { included: true });
});

/** Small patterns over a, b, 0 with every construct the module models. */
const patternArbitrary: fc.Arbitrary<string> = fc.letrec<{ node: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', '0', '.', '\\d', '\\w', '\\s', '\\D', '[ab]', '[^a]', '[a-b0]', '\\n', '[^]', '\\x61'),
    tie('node').map((inner) => `(${inner})`),
    tie('node').map((inner) => `(?:${inner})`),
  ),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?'))
      .map(([atom, quantifier]) => atom + quantifier),
    fc.constantFrom('^', '$'),
    fc.tuple(tie('node'), tie('node')).map(([x, y]) => x + y),
    fc.tuple(tie('node'), tie('node')).map(([x, y]) => `${x}|${y}`),
  ),
})).node;

const textArbitrary = fc.stringMatching(/^[ab0x\n]{0,6}$/);

/** Every string over a, b, 0, newline up to length 4: what an inclusion claim is checked on exhaustively. */
const shortTexts = (() => {
  const out = [''];
  let layer = [''];
  for (let length = 1; length <= 4; length++) {
    layer = layer.flatMap((prefix) => ['a', 'b', '0', '\n'].map((c) => prefix + c));
    out.push(...layer);
  }
  return out;
})();

test('generated patterns: the automaton matches exactly what the validation engine matches', () => {
  fc.assert(
    fc.property(patternArbitrary, fc.array(textArbitrary, { maxLength: 8 }), (pattern, texts) => {
      for (const text of [...texts, ...shortTexts.slice(0, 40)])
        assert.equal(
          automatonMatches(pattern, text),
          matches(pattern, text),
          `/${pattern}/ on ${JSON.stringify(text)}`,
        );
    }),
    { numRuns: 300, seed: 18 },
  );
});

test('generated pattern pairs: a witness is matched by one and not the other, a common match by both; an inclusion or a disjointness holds on every short string', () => {
  fc.assert(
    fc.property(patternArbitrary, patternArbitrary, (a, b) => {
      const answer = patternInclusion(a, b);
      assert.ok(answer !== undefined, `/${a}/ ⊆ /${b}/ decided`);
      if (!answer.included) {
        assert.ok(matches(a, answer.witness), `/${a}/ matches ${JSON.stringify(answer.witness)}`);
        assert.ok(!matches(b, answer.witness), `/${b}/ rejects ${JSON.stringify(answer.witness)}`);
      } else {
        for (const text of shortTexts)
          if (matches(a, text)) assert.ok(matches(b, text), `/${a}/ ⊆ /${b}/ but ${JSON.stringify(text)}`);
      }
      const common = commonMatch(a, b);
      assert.ok(common !== undefined);
      if (common !== null) assert.ok(matches(a, common) && matches(b, common), `both match ${JSON.stringify(common)}`);
      else for (const text of shortTexts) assert.ok(!(matches(a, text) && matches(b, text)), JSON.stringify(text));
    }),
    { numRuns: 400, seed: 18 },
  );
});

test('commonMatch: a string both patterns match, or null when their languages are disjoint', () => {
  assert.equal(commonMatch('^v\\d+$', '^[a-z]+$'), null);
  const common = commonMatch('^v\\d+$', '^[a-z]+\\d?$');
  assert.ok(common !== null && common !== undefined);
  assert.ok(matches('^v\\d+$', common) && matches('^[a-z]+\\d?$', common));
  assert.equal(commonMatch('a', '[]'), null);
  assert.equal(commonMatch('(a)\\1', 'a'), undefined);
});
