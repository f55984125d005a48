import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../eval/run-cli.js';
import { leafCommands } from './config-flag.test.js';

const leaves = leafCommands(buildProgram());

test('--json on every command', () => {
  const without = leaves.filter(({ command }) => !command.options.some((o) => o.long === '--json'));
  assert.deepEqual(
    without.map((l) => l.path.join(' ')),
    [],
  );
});

test('one flag, one meaning: --out is a folder, --data-dir the data root, --top-k candidates per context', () => {
  for (const { path, command } of leaves) {
    const where = path.join(' ');
    for (const option of command.options) {
      if (option.long === '--out') assert.equal(option.flags, '--out <dir>', where);
      if (option.long === '--top-k') assert.match(option.description, /^candidates per context/, where);
      if (option.long === '--dir') assert.fail(`${where}: --dir (use --data-dir)`);
    }
  }
});

test('defaults are shown one way: "(default: …)", never quoted and never "(default X)"', () => {
  for (const { path, command } of leaves) {
    const help = command.helpInformation();
    for (const line of help.split('\n')) {
      assert.doesNotMatch(line, /\(default [^:]|default: ["[]/, `${path.join(' ')}: ${line.trim()}`);
    }
  }
});

test('usage errors exit 2 with a one-line hint, not the help; failures exit 1', () => {
  const usage = [
    ['run', '--threshhold', '2'],
    ['eval', '--dataset', 'inspired'],
    ['train', '--seeds', 'three'],
    ['augment', 'synthesize', '--threshhold', '2'],
    ['experiment', 'nope'],
  ];
  for (const args of usage) {
    const run = runCli(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.ok(lines.length <= 3, `${args.join(' ')} printed ${lines.length} lines:\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /^Usage:|Options:/m, args.join(' '));
  }
  assert.match(runCli(['augment', 'synthesize', '--threshhold', '2']).stderr, /Did you mean --threshold\?/);
  const failure = runCli(['eval', '--dataset', 'inspired', '--predictions', '/nonexistent/p.jsonl']);
  assert.equal(failure.status, 1, failure.stderr);
  assert.match(failure.stderr, /missing file: \/nonexistent\/p\.jsonl/);
  assert.equal(runCli(['--help']).status, 0);
  assert.equal(runCli(['--version']).status, 0);
});
