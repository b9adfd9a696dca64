// The import-direction rule (eslint.layers.js) stops an import that points up the pipeline, and lets the rest through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { importDirectionConfigs, layers } from '../../eslint.layers.js';

const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: importDirectionConfigs(), cwd: process.cwd() });

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

test('a room importing a room above it is an error, at any depth of folder', async () => {
  assert.deepEqual(await problems('src/core/x.ts', "import { run } from '../cli/run.js';\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/store/x.ts', "import { a } from '../snapshot/snapshotView.js';\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/kinds/tool/x.ts', "import { a } from '../../validate/linkSpecs.js';\n"), [
    'no-restricted-imports',
  ]);
});

test('diff stays pure: it may not read the store or a snapshot, though both are below it', async () => {
  assert.deepEqual(await problems('src/diff/x.ts', "import { a } from '../store/specStore.js';\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/diff/x.ts', "import { a } from '../snapshot/snapshotView.js';\n"), [
    'no-restricted-imports',
  ]);
});

// (A type from one is allowed, as src/core/digest.ts does; this bare linter cannot parse `import type`.)
test('core stays pure: no node:* module', async () => {
  assert.deepEqual(await problems('src/core/x.ts', "import { readFileSync } from 'node:fs';\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await problems('src/build/x.ts', "import { readFileSync } from 'node:fs';\n"), []);
});

test('nothing in src/ imports the public API module', async () => {
  assert.deepEqual(await problems('src/plan/x.ts', "import { a } from '../index.js';\n"), ['no-restricted-imports']);
});

test('imports down the pipeline and within a room pass', async () => {
  assert.deepEqual(
    await problems('src/cli/x.ts', "import { a } from '../plan/planFile.js';\nimport { b } from './io.js';\n"),
    [],
  );
  assert.deepEqual(await problems('src/snapshot/x.ts', "import { a } from '../build/buildSnapshot.js';\n"), []);
  assert.deepEqual(
    await problems(
      'src/kinds/tool/x.ts',
      "import { a } from '../commonSchemas.js';\nimport { b } from '../../core/json.js';\n",
    ),
    [],
  );
});

test('every room of src/ is placed in a layer', async () => {
  const { readdirSync } = await import('node:fs');
  const placed = new Set(layers.flat());
  const rooms = readdirSync('src', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.deepEqual(
    rooms.filter((room) => !placed.has(room)),
    [],
  );
});
