import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../eval/run-cli.js';

/** Every runnable command as its path of names, with the command object. */
export function leafCommands(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  if (command.commands.length === 0) return [{ path, command }];
  return command.commands.flatMap((c) => leafCommands(c, [...path, c.name()]));
}

/** Commands that read no settings at all: they render, list or convert the files they are given. */
const WITHOUT_SETTINGS = [
  'data list',
  'data convert redial-raw',
  'data convert inspired-tsv',
  'data convert linked',
  'report',
];

/** Arguments that get a command past its own checks to the point where it reads its config. */
function argumentsOf(path: string[], command: Command): string[] {
  const args: string[] = [];
  for (const arg of command.registeredArguments) {
    if (!arg.required) continue;
    args.push(path[0] === 'experiment' ? 'threshold' : (arg.argChoices?.[0] ?? 'x'));
  }
  for (const option of command.options) {
    if (option.mandatory) args.push(option.long!, option.argChoices?.[0] ?? 'x.jsonl');
  }
  return args;
}

test('--config works on every command that reads settings, and an unknown key in it fails naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-config-flag-'));
  const config = join(dir, 'bad.json');
  writeFileSync(config, JSON.stringify({ augment: { synthesize: { threshhold: 2 } } }));
  const leaves = leafCommands(buildProgram());
  const withConfig = leaves.filter(({ command }) => command.options.some((o) => o.long === '--config'));
  assert.deepEqual(
    leaves
      .filter((l) => !withConfig.includes(l))
      .map((l) => l.path.join(' '))
      .sort(),
    [...WITHOUT_SETTINGS].sort(),
  );
  for (const { path, command } of withConfig) {
    const run = runCli([...path, ...argumentsOf(path, command), '--config', config]);
    assert.equal(run.status, 1, `${path.join(' ')}: ${run.stderr}`);
    assert.match(
      run.stderr,
      /unknown config key "augment\.synthesize\.threshhold" in .*bad\.json; did you mean "augment\.synthesize\.threshold"/,
      path.join(' '),
    );
  }
});

test('run and experiment take the provider flags augment takes', () => {
  const program = buildProgram();
  const flagsOf = (name: string) =>
    program.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
  for (const name of ['run', 'experiment']) {
    for (const flag of ['--llm-base-url', '--llm-model', '--embed-base-url', '--embed-model', '--cache-dir'])
      assert.ok(flagsOf(name).includes(flag), `${name} ${flag}`);
  }
});
