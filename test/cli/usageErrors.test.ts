// Every way commander refuses a command line is a usage error: exit 2, and under --json one `{"error": …}` on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSpec, tempDir } from '../support/cli.js';

/** One command line per kind of refusal commander makes, each before any store or registry is touched. */
/** `valueMissing`: the last word wants a value, so --json goes only before it (after, it would be taken as the value). */
const usageMistakes: { name: string; args: string[]; valueMissing?: true }[] = [
  { name: 'unknown option', args: ['ls', '--bogus'] },
  { name: 'unknown option before the command', args: ['--bogus', 'ls'] },
  { name: 'missing argument', args: ['show'] },
  { name: 'missing second argument', args: ['tag', 'prod'] },
  { name: 'invalid option value (--keep-last 0)', args: ['gc', '--keep-last', '0'] },
  { name: 'invalid option value (--wait abc)', args: ['ls', '--wait', 'abc'] },
  { name: 'invalid global option value (--wait abc)', args: ['--wait', 'abc', 'ls'] },
  { name: 'option value not among the choices', args: ['diff', 'latest', '--fail-on', 'sometimes'] },
  { name: 'option without its value', args: ['ls', '--store'], valueMissing: true },
  { name: 'missing required option', args: ['plan', 'upgrade', 'plan.yaml'] },
  { name: 'unknown command', args: ['no-such-command'] },
  { name: 'unknown subcommand', args: ['plan', 'no-such-subcommand'] },
  { name: 'excess arguments', args: ['tags', 'extra'] },
  { name: 'no command at all', args: [] },
  { name: 'a command group without its subcommand', args: ['plan'] },
];

for (const { name, args, valueMissing } of usageMistakes) {
  test(`usage mistake, ${name}: exit 2; --json prints only {"error": {"code": "USAGE", …}} on stdout`, (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    for (const withJson of valueMissing
      ? [['--json', ...args]]
      : [
          [...args, '--json'],
          ['--json', ...args],
        ]) {
      const result = runSpec(withJson, { cwd: dir.path });
      assert.equal(result.status, 2, `spec ${withJson.join(' ')}: ${result.stderr}`);
      let printed: { error?: { code?: unknown; message?: unknown } };
      try {
        printed = JSON.parse(result.stdout) as typeof printed;
      } catch {
        assert.fail(`spec ${withJson.join(' ')}: stdout is not one JSON document: ${JSON.stringify(result.stdout)}`);
      }
      assert.deepEqual(Object.keys(printed), ['error']);
      assert.equal(printed.error?.code, 'USAGE');
      assert.equal(typeof printed.error?.message, 'string');
      assert.ok((printed.error?.message as string).length > 0);
    }
    const plain = runSpec(args, { cwd: dir.path });
    assert.equal(plain.status, 2, `spec ${args.join(' ')}`);
    assert.equal(plain.stdout, '', 'without --json a usage mistake prints nothing on stdout');
    assert.notEqual(plain.stderr, '', 'without --json the mistake is explained on stderr');
  });
}

test('--help and --version still exit 0 and print on stdout', () => {
  for (const args of [['--help'], ['ls', '--help'], ['plan', 'pin', '--help'], ['--version']]) {
    const result = runSpec(args);
    assert.equal(result.status, 0, args.join(' '));
    assert.notEqual(result.stdout, '');
  }
});
