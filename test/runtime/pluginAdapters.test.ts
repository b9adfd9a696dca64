// Adapters shipped in a plugin package: installed in node_modules, named by the registry's specstore.yaml, loaded by
// `spec run`, and checked (no adapters array, a taken name) before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, repoRoot, runSpec, tempDir } from '../support/cli.js';

/** The runtime example's registry plus a plugin whose package ships an `echo` adapter and a tool that runs on it. */
function registryWithPlugin(t: { after: (fn: () => unknown) => void }, adaptersModule: string): string {
  const dir = tempDir('specstore-plugin-adapters-');
  t.after(dir.cleanup);
  cpSync(join(repoRoot, 'examples/runtime/registry'), dir.path, { recursive: true });
  writeFileSync(join(dir.path, 'specstore.yaml'), 'plugins: ["@acme/echo"]\n');
  const pkg = join(dir.path, 'node_modules/@acme/echo');
  mkdirSync(join(pkg, 'specs/tools'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: '@acme/echo',
      version: '1.2.0',
      specstore: { registry: 'specs', adapters: './adapters.mjs' },
    }),
  );
  writeFileSync(
    join(pkg, 'specs/tools/echo.say.yaml'),
    [
      'id: "echo.say@1"',
      'name: "Echo"',
      'adapter: "echo"',
      'entry_point: "echo://say"',
      'inputs:',
      '  - {name: "text", type: "string", required: true}',
      'outputs:',
      '  - {name: "said", type: "string", required: true}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(pkg, 'adapters.mjs'), adaptersModule);
  mkdirSync(join(dir.path, 'plans'));
  writeFileSync(
    join(dir.path, 'plans/echo.yaml'),
    'plan: echo\npolicy: default@1\nsteps:\n  - id: say\n    processor_ref: echo.say@1\n    inputs: {text: "hi"}\n',
  );
  return dir.path;
}

const echoAdapter = `export const adapters = [{
  name: 'echo',
  async invoke(tool, context) {
    return { success: true, outputs: { said: context.inputs.text + ' from ' + tool.id }, receipt: {}, artifacts: [] };
  },
}];
`;

test('a plugin package ships an adapter: spec run loads it and runs the plugin tool on it', (t) => {
  const cwd = registryWithPlugin(t, echoAdapter);
  assert.equal(runSpec(['build', '--registry', '.'], { cwd }).status, 0);
  assert.equal(runSpec(['plan', 'pin', 'plans/echo.yaml'], { cwd }).status, 0);
  const ran = runSpec(['run', 'plans/echo.yaml', '--json'], { cwd, env: { TMPDIR: cwd } });
  assert.equal(ran.status, 0, ran.stderr);
  const record = json(ran);
  assert.deepEqual(record.steps[0].outputs, { said: 'hi from echo.say@1' });
});

test('a plugin adapters module without an adapters array, or taking a built-in name, stops the run before it starts', (t) => {
  for (const module of ['export const nothing = 1;\n', echoAdapter.replace("name: 'echo'", "name: 'local'")]) {
    const cwd = registryWithPlugin(t, module);
    assert.equal(runSpec(['build', '--registry', '.'], { cwd }).status, 0);
    assert.equal(runSpec(['plan', 'pin', 'plans/echo.yaml'], { cwd }).status, 0);
    const ran = runSpec(['run', 'plans/echo.yaml'], { cwd, env: { TMPDIR: cwd } });
    assert.equal(ran.status, 1);
    assert.match(ran.stderr, /^PLUGIN_ADAPTERS_INVALID /);
    assert.equal(json(runSpec(['runs', '--json'], { cwd })).length, 0, 'no run was recorded');
  }
});
