// Versions: a positive integer or semver 2.0 without build metadata, under one total order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compareVersions, majorOf, maxVersionLength, parseVersion, type Version } from '../../src/core/version.js';

function version(text: string): Version {
  const parsed = parseVersion(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

function compare(a: string, b: string): number {
  return Math.sign(compareVersions(version(a), version(b)));
}

/** Asserts that `texts` is strictly increasing under compareVersions, comparing every pair both ways. */
function assertAscending(texts: string[]): void {
  for (let i = 0; i < texts.length; i++) {
    for (let j = 0; j < texts.length; j++) {
      assert.equal(compare(texts[i]!, texts[j]!), Math.sign(i - j), `${texts[i]} vs ${texts[j]}`);
    }
  }
}

describe('parseVersion', () => {
  test('integers', () => {
    assert.deepEqual(parseVersion('1'), {
      text: '1',
      kind: 'integer',
      major: '1',
      minor: '0',
      patch: '0',
      prerelease: [],
    });
    assert.equal(version('10').kind, 'integer');
    assert.equal(version('123456789012345678901234567890').major, '123456789012345678901234567890');
  });

  test('semver 2.0 without build metadata', () => {
    assert.deepEqual(parseVersion('1.2.3'), {
      text: '1.2.3',
      kind: 'semver',
      major: '1',
      minor: '2',
      patch: '3',
      prerelease: [],
    });
    assert.deepEqual(parseVersion('0.0.0'), {
      text: '0.0.0',
      kind: 'semver',
      major: '0',
      minor: '0',
      patch: '0',
      prerelease: [],
    });
    assert.deepEqual(version('1.0.0-alpha.1.x-y.0a.-').prerelease, ['alpha', '1', 'x-y', '0a', '-']);
    assert.deepEqual(version('10.20.30-RC.0').prerelease, ['RC', '0']);
    assert.equal(majorOf(version('7.1.0')), '7');
    assert.equal(majorOf(version('7')), '7');
  });

  const rejected = [
    '',
    '0',
    '01',
    '-1',
    '+1',
    '1.0',
    '1.',
    '.1',
    '1.0.0.0',
    '01.0.0',
    '1.01.0',
    '1.0.01',
    '1.0.0+build',
    '1.0.0-alpha+build',
    '1.0.0-',
    '1.0.0-alpha..1',
    '1.0.0-01',
    '1.0.0-alpha_1',
    'v1',
    '1 ',
    ' 1',
    '1@2',
    'latest',
    '1.0.0-\u00e9',
    '\uFF11',
  ];
  for (const text of rejected) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseVersion(text), undefined));
  }

  test(`versions are at most ${maxVersionLength} characters`, () => {
    assert.equal(maxVersionLength, 64);
    assert.ok(parseVersion('9'.repeat(64)));
    assert.equal(parseVersion('9'.repeat(65)), undefined);
    const semver64 = `1.0.0-${'a'.repeat(58)}`;
    assert.equal(semver64.length, 64);
    assert.ok(parseVersion(semver64));
    assert.equal(parseVersion(`${semver64}a`), undefined);
  });
});

describe('compareVersions', () => {
  test('integers compare numerically: 1 < 2 < 10', () => assertAscending(['1', '2', '9', '10', '11', '100']));

  test('the precedence example of the semver 2.0 specification', () => {
    assertAscending([
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ]);
    assertAscending(['1.0.0', '2.0.0', '2.1.0', '2.1.1']);
  });

  test('an integer N stands for N.0.0 and sorts just before it; 0 only for identical text', () => {
    assertAscending([
      '0.9.9',
      '1.0.0-rc.1',
      '1',
      '1.0.0',
      '1.0.1',
      '1.5.0',
      '2.0.0-alpha',
      '2',
      '2.0.0',
      '10.0.0-x',
      '10',
      '10.0.0',
    ]);
    assert.equal(compare('1', '1'), 0);
    assert.equal(compare('1.0.0', '1.0.0'), 0);
    assert.notEqual(compare('1', '1.0.0'), 0);
  });

  test('prerelease identifiers: numeric below alphanumeric, ASCII order between alphanumerics, longer wins a tie', () => {
    assertAscending([
      '1.0.0-0',
      '1.0.0-1',
      '1.0.0-2',
      '1.0.0-10',
      '1.0.0-A',
      '1.0.0-Z',
      '1.0.0-a',
      '1.0.0-a.0',
      '1.0.0-a.a',
      '1.0.0-b',
    ]);
    assertAscending(['1.0.0-9a', '1.0.0-a9']);
  });

  test('huge numeric components compare as numbers, not as doubles or strings', () => {
    assertAscending(['9', '10', '99999999999999999999', '100000000000000000000', '100000000000000000001']);
    assertAscending(['1.9007199254740992.0', '1.9007199254740993.0', '1.10000000000000000000.0']);
    assertAscending(['1.0.0-99999999999999999999', '1.0.0-100000000000000000000', '1.0.0-100000000000000000001']);
    assertAscending(['99999999999999999999.0.0', '100000000000000000000', '100000000000000000000.0.0']);
  });
});

describe('compareVersions is a total order', () => {
  // Small alphabets so that generated versions often share prefixes and tie on some components.
  const number = fc.oneof(fc.constantFrom('0', '1', '2', '10'), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String));
  const positive = fc.oneof(fc.constantFrom('1', '2', '10'), fc.bigInt({ min: 1n, max: 10n ** 25n }).map(String));
  const identifier = fc.oneof(number, fc.constantFrom('a', 'b', 'B', 'rc', 'alpha', 'x-1', '0a', '-'));
  const semver = fc
    .tuple(number, number, number, fc.array(identifier, { maxLength: 3 }))
    .map(
      ([major, minor, patch, prerelease]) =>
        `${major}.${minor}.${patch}${prerelease.length > 0 ? `-${prerelease.join('.')}` : ''}`,
    );
  const versionText = fc.oneof(positive, semver).filter((text) => text.length <= maxVersionLength);
  const versions = versionText.map(version);

  test('every generated version parses back to its own text', () => {
    fc.assert(
      fc.property(versionText, (text) => assert.equal(parseVersion(text)?.text, text)),
      { numRuns: 500 },
    );
  });

  test('antisymmetric, and 0 exactly for identical text', () => {
    fc.assert(
      fc.property(versions, versions, (a, b) => {
        const ab = Math.sign(compareVersions(a, b));
        assert.equal(Math.sign(compareVersions(b, a)), -ab || 0);
        assert.equal(ab === 0, a.text === b.text);
        assert.equal(compareVersions(a, a), 0);
      }),
      { numRuns: 2000 },
    );
  });

  test('transitive', () => {
    fc.assert(
      fc.property(versions, versions, versions, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareVersions) as [Version, Version, Version];
        assert.ok(compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0);
        assert.ok(compareVersions(x, z) <= 0, `${x.text} <= ${y.text} <= ${z.text} but not ${x.text} <= ${z.text}`);
        if (compareVersions(x, y) < 0 || compareVersions(y, z) < 0) assert.ok(compareVersions(x, z) < 0);
      }),
      { numRuns: 2000 },
    );
  });

  test('sorting is independent of the input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(versionText, { maxLength: 30 }), (texts) => {
        const forward = texts
          .map(version)
          .sort(compareVersions)
          .map((v) => v.text);
        const backward = [...texts]
          .reverse()
          .map(version)
          .sort(compareVersions)
          .map((v) => v.text);
        assert.deepEqual(backward, forward);
        for (let i = 1; i < forward.length; i++) assert.ok(compare(forward[i - 1]!, forward[i]!) < 0);
      }),
      { numRuns: 300 },
    );
  });
});
