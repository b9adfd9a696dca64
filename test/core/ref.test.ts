// Spec ids and references: `name@version` (exact) or `name` (floating).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeRefProblem,
  formatSpecId,
  isValidName,
  maxNameLength,
  parseRef,
  parseSpecId,
  refProblem,
} from '../../src/core/ref.js';
import { maxVersionLength } from '../../src/core/version.js';

describe('names', () => {
  const valid = ['a', '0', 'text.llm', 'text.llm.v2', 'media-probe', 'snake_case', 'a1.b2-c3_d4', 'x'.repeat(128)];
  for (const name of valid)
    test(`accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}`, () =>
      assert.equal(isValidName(name), true));

  const invalid = [
    '',
    'A',
    'Text',
    'a..b',
    'a.',
    '.a',
    '-a',
    'a-',
    '_a',
    'a._b',
    'a/b',
    '../x',
    '..',
    'a:b',
    'a@b',
    'a b',
    'é',
    'a\u0000',
    'x'.repeat(129),
  ];
  for (const name of invalid)
    test(`rejects ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}`, () =>
      assert.equal(isValidName(name), false));

  test(`names are at most ${maxNameLength} characters`, () => {
    assert.equal(maxNameLength, 128);
    assert.ok(parseSpecId(`${'a'.repeat(128)}@1`));
    assert.equal(parseSpecId(`${'a'.repeat(129)}@1`), undefined);
    assert.equal(parseRef('a'.repeat(129)), undefined);
  });
});

describe('parseSpecId and parseRef', () => {
  test('an exact id', () => {
    const id = parseSpecId('text.llm@2');
    assert.ok(id);
    assert.equal(id.text, 'text.llm@2');
    assert.equal(id.name, 'text.llm');
    assert.equal(id.version.text, '2');
    assert.equal(id.version.kind, 'integer');
    const semver = parseSpecId('media.probe@1.2.0-rc.1');
    assert.equal(semver?.name, 'media.probe');
    assert.deepEqual(semver?.version.prerelease, ['rc', '1']);
  });

  test('a floating ref has no version, and is not an id', () => {
    assert.deepEqual(parseRef('text.llm'), { text: 'text.llm', name: 'text.llm' });
    assert.equal(parseSpecId('text.llm'), undefined);
  });

  const rejected = [
    '',
    '@1',
    'a@',
    'A@1',
    'a@0',
    'a@01',
    'a@1.0',
    'a@1.0.0+build',
    '../x@1',
    'a/b@1',
    'a..b@1',
    'a@1@2',
    'a@@1',
    ' a@1',
    'a@1 ',
    'a@v1',
    'a@latest',
    `a@${'1'.repeat(65)}`,
    `${'a'.repeat(129)}@1`,
  ];
  for (const text of rejected) {
    test(`rejects ${JSON.stringify(text.length > 24 ? `${text.slice(0, 10)}…(${text.length})` : text)}`, () => {
      assert.equal(parseSpecId(text), undefined);
      assert.equal(parseRef(text), undefined);
    });
  }

  test(`versions in ids are at most 64 characters`, () => {
    assert.equal(parseSpecId(`a@${'1'.repeat(64)}`)?.version.text, '1'.repeat(64));
    assert.equal(parseSpecId(`a@${'1'.repeat(65)}`), undefined);
  });

  test('formatSpecId is the inverse of parseSpecId', () => {
    for (const text of ['a@1', 'text.llm@2', 'x-y_z.w@1.0.0-alpha.1']) {
      const id = parseSpecId(text)!;
      assert.equal(formatSpecId(id.name, id.version.text), text);
    }
  });
});

describe('refProblem: why a text is not a ref or an id', () => {
  test('each reason, with the length limits told apart from the grammar', () => {
    assert.equal(refProblem('text.llm@2', 'id'), undefined);
    assert.equal(refProblem('text.llm', 'ref'), undefined);
    assert.equal(refProblem('text.llm', 'id'), 'version-missing');
    assert.equal(refProblem(`${'a'.repeat(maxNameLength + 1)}@1`, 'id'), 'name-too-long');
    assert.equal(refProblem('a'.repeat(maxNameLength + 1), 'ref'), 'name-too-long');
    assert.equal(refProblem(`a@${'1'.repeat(maxVersionLength + 1)}`, 'id'), 'version-too-long');
    assert.equal(refProblem('Text@1', 'id'), 'name-invalid');
    assert.equal(refProblem('@1', 'id'), 'name-invalid');
    assert.equal(refProblem('a@01', 'id'), 'version-invalid');
    assert.equal(refProblem('a@1.0.0+build', 'ref'), 'version-invalid');
    assert.equal(refProblem('a@', 'ref'), 'version-invalid');
  });

  test('the description of a too-long id gives the limit and the length, and quotes only the start of the text', () => {
    const long = `${'a'.repeat(5000)}@1`;
    const text = describeRefProblem(long, refProblem(long, 'id')!);
    assert.ok(text.includes(String(maxNameLength)) && text.includes('5000'));
    assert.ok(text.length < 300, 'a huge id is not echoed whole');
  });
});
