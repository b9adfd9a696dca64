// The linear-time engine keeps ECMA-262's meaning for the patterns specstore accepts, and refuses the rest by code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { compileLinearRegExp, PatternUnsupportedError } from '../../src/validate/linearRegExp.js';

function patternsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => patternsOf(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'pattern' && typeof child === 'string') found.push(child);
      if (key === 'patternProperties' && child !== null && typeof child === 'object') found.push(...Object.keys(child));
      patternsOf(child, found);
    }
  }
  return found;
}

const samples = [
  '',
  'a',
  'A',
  'abc',
  'a_b',
  'a.b',
  'a-b',
  'x-foo',
  'X-Foo',
  '0',
  '1.2.3',
  'sha256:' + 'a'.repeat(64),
  ' ',
  '\u00a0',
  '\t',
  '\r',
  '\n',
  '\u2028',
  '\ufeff',
  'é',
  'ß',
  '😀',
  'a😀b',
  '\ud83d',
  'α',
  '٣',
  'a\nb',
  '[',
  ':',
  '${x}',
  'A1_b',
  'ab12',
  '_x',
  'αβγ',
];

const sameAsNative = (pattern: string) => {
  const linear = compileLinearRegExp(pattern);
  const native = new RegExp(pattern, 'u');
  for (const text of samples)
    assert.equal(linear.test(text), native.test(text), `${pattern} on ${JSON.stringify(text)}`);
};

test("the kinds' own patterns are in the dialect and match as native RegExp does", () => {
  const patterns = builtinKinds.flatMap((kind) => patternsOf(kind.schema));
  assert.ok(patterns.length > 3);
  patterns.forEach(sameAsNative);
});

test('ECMA-262 constructs keep their meaning: \\s, ., \\d, \\w, \\p{…}, escapes, classes, astral code points', () => {
  for (const pattern of [
    String.raw`^\s$`,
    String.raw`^\S+$`,
    '^.$',
    '^.+$',
    String.raw`^\d+$`,
    String.raw`^\w+$`,
    String.raw`\bab`,
    String.raw`^\p{L}+$`,
    String.raw`^\p{Letter}$`,
    String.raw`^\p{Lu}`,
    String.raw`^\p{Script=Greek}+$`,
    String.raw`^\P{ASCII}$`,
    String.raw`^[\p{ASCII}]+$`,
    String.raw`^\u00e9$`,
    String.raw`^\u{1F600}$`,
    String.raw`^\ud83d\ude00$`,
    String.raw`^\x41`,
    String.raw`^\cJ$`,
    String.raw`^\0?$`,
    '^[[:alpha:]+$',
    '^[^]$',
    '^[]$',
    String.raw`^[\s\S]*$`,
    String.raw`^[\S]+$`,
    String.raw`^[a-z-0]+$`,
    String.raw`^[\t-\r]$`,
    String.raw`^[\b]$`,
    String.raw`^\/\.\*$`,
    '^(?<word>[a-z]+)_(?:x|y)?$',
    '^a{2,3}?$',
    '^(a+)+$',
    '^[😀-😂]$',
    '^x-',
    'a|b|',
  ])
    sameAsNative(pattern);
});

test('backreferences, lookarounds, repeats over 1000 and unknown properties are PatternUnsupportedError', () => {
  for (const pattern of [
    String.raw`(a)\1`,
    String.raw`(?<n>a)\k<n>`,
    '(?=a)',
    '(?!a)',
    '(?<=a)b',
    '(?<!a)b',
    'a{1001}',
    '(?:a{100}){100}',
    String.raw`\p{Script_Extensions=Greek}`,
    String.raw`\p{ID_Start}`,
    String.raw`[^\S]`,
  ]) {
    assert.throws(
      () => compileLinearRegExp(pattern),
      (error: unknown) => error instanceof PatternUnsupportedError && error.code === 'SCHEMA_PATTERN_UNSUPPORTED',
      pattern,
    );
  }
  assert.throws(() => compileLinearRegExp('(?i)a'), SyntaxError);
});
