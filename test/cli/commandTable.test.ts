// The CLI loads only the module of the command being run: its table must name exactly what each module declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { commandModules, requestedCommand, type CommandContext } from '../../src/cli/run.js';

test('each module registers exactly the commands the table says it does', async () => {
  for (const module of commandModules) {
    const program = new Command('spec');
    (await module.load())(program, {} as CommandContext);
    assert.deepEqual(program.commands.map((command) => command.name()).sort(), [...module.commands].sort());
  }
});

test('the requested command is the first word that is not an option or a global option value', () => {
  assert.equal(requestedCommand(['resolve', 'latest', 'x@1']), 'resolve');
  assert.equal(requestedCommand(['--store', 'build', 'ls']), 'ls');
  assert.equal(requestedCommand(['--json', '--wait', '5', 'verify']), 'verify');
  assert.equal(requestedCommand(['--help']), undefined);
});
