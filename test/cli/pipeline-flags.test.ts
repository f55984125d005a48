import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addPipelineOptions, type PipelineFlags, pipelineConfig } from '../../src/cli/pipeline-flags.js';

function parse(args: string[]): PipelineFlags {
  const command = addPipelineOptions(
    new Command('run').exitOverride().configureOutput({ writeErr: () => {} }),
    'every mode',
  );
  command.parse(args, { from: 'user' });
  return command.opts<PipelineFlags>();
}

test('--seed-workers sets run.seedWorkers (0: one per engine thread, the default), and rejects a negative count', () => {
  assert.equal(pipelineConfig(parse(['--seed-workers', '1']), undefined).run.seedWorkers, 1);
  assert.equal(pipelineConfig(parse(['--seed-workers', '0']), undefined).run.seedWorkers, 0);
  assert.equal(pipelineConfig(parse([]), undefined).run.seedWorkers, 0);
  assert.throws(() => parse(['--seed-workers', '-1']), /seed-workers/);
});
