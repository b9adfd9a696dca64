// 951 real-world JSON Schemas (SchemaStore), wrapped as schema specs: each builds, or is refused with a clear reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import type { Diagnostic } from '../../src/errors.js';
import { writeSchemastoreRegistry } from '../../bench/schemastoreRegistry.mjs';
import { tempDir } from '../support/cli.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';

const corpus = sharedPath('corpus/schemastore/current');

/** The documented reasons a real schema cannot be a spec: a $ref to another file (never fetched), an integer JSON cannot carry exactly, a $ref cycle that never descends into the data, a keyword the validator gets wrong, a chain past the depth bound. */
const acceptedReasons = new Set([
  'SCHEMA_REF_UNRESOLVED',
  'YAML_NOT_JSON',
  'SCHEMA_REF_CYCLE',
  'SCHEMA_KEYWORD_UNSUPPORTED',
  'SCHEMA_REF_TOO_DEEP',
  'SCHEMA_PATTERN_UNSUPPORTED',
  // A $ref by URL to a schema of another draft, or to a URL two files declare as their $id (sarif.json and
  // sarif-2.1.0-rtm.5.json do).
  'SCHEMA_REF_DRAFT_MISMATCH',
  'SCHEMA_REF_AMBIGUOUS',
]);

test(
  'the SchemaStore corpus builds, except files refused for a documented reason',
  { skip: skipWithoutShared('corpus/schemastore/current') },
  async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const registry = join(dir.path, 'registry');
    const count = writeSchemastoreRegistry(corpus, registry);
    /** The errors of a build of what is left; removing a refused schema can refuse those that $ref it by URL. */
    const refusedNow = async (): Promise<Diagnostic[]> => {
      try {
        await compileRegistry({ registry });
        return [];
      } catch (error) {
        assert.equal((error as { code: string }).code, 'INVALID_INPUT');
        return (error as { diagnostics: Diagnostic[] }).diagnostics.filter((d) => d.severity === 'error');
      }
    };
    const refused = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const errors = await refusedNow();
      if (errors.length === 0) break;
      for (const diagnostic of errors) {
        assert.ok(
          acceptedReasons.has(diagnostic.code),
          `${diagnostic.file}: unexpected ${diagnostic.code} ${diagnostic.message}`,
        );
        assert.ok(
          diagnostic.line !== undefined && diagnostic.column !== undefined,
          `${diagnostic.file}: ${diagnostic.code} has a position`,
        );
        refused.add(diagnostic.file!);
        rmSync(diagnostic.file!, { force: true });
      }
    }
    t.diagnostic(`${count} schemas: ${count - refused.size} build, ${refused.size} refused`);
    assert.ok(refused.size < count / 4, 'most real schemas build');
    const compiled = await compileRegistry({ registry });
    assert.equal(compiled.specs.length, count - refused.size);
  },
);
