import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { CLI } from '../eval/run-cli.js';
import { tempDir } from './helpers.js';

/** Runs `crsaug train` from a folder whose crsaug.config.json makes the model tiny. */
function train(cwd: string, args: string[]) {
  const dataDir = resolveDataDir(undefined).dir;
  return spawnSync(process.execPath, [CLI, 'train', '--data-dir', dataDir, '--quiet', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

test('crsaug train --json prints per-seed and aggregated test metrics and writes them to --out', () => {
  const cwd = tempDir('train-cli');
  writeFileSync(
    join(cwd, 'crsaug.config.json'),
    JSON.stringify({ train: { batchSize: 256, kbrd: { dim: 8, bases: 2, attentionDim: 8, lr: 0.01 } } }),
  );
  const run = train(cwd, [
    '--dataset',
    'inspired',
    '--model',
    'kbrd',
    '--mode',
    'baseline',
    '--epochs',
    '1',
    '--seeds',
    '2',
    '--json',
    '--out',
    'run',
    '--predictions-out',
    'p.jsonl',
  ]);
  assert.equal(run.status, 0, run.stderr);
  const output = JSON.parse(run.stdout);
  assert.deepEqual(output.seeds, [42, 43]);
  assert.equal(output.runs.length, 2);
  assert.equal(output.pairs, 161);
  const perSeed = output.runs.map((r: { metrics: Record<string, number> }) => r.metrics['recall@10']);
  assert.ok(Math.abs(output['recall@10'] - (perSeed[0] + perSeed[1]) / 2) < 1e-12);
  assert.equal(typeof output.std['recall@10'], 'number');
  assert.deepEqual(JSON.parse(readFileSync(join(cwd, 'run', 'metrics.json'), 'utf8')), output);
  assert.equal(JSON.parse(readFileSync(join(cwd, 'run', 'config.resolved.json'), 'utf8')).train.kbrd.dim, 8);
  assert.ok(existsSync(join(cwd, 'run', 'seed-43', 'best', 'model.safetensors')));

  // --predictions-out: one file per seed, which eval reads back to the seed's test metrics and compares
  const dataDir = resolveDataDir(undefined).dir;
  const files = ['p.seed-42.jsonl', 'p.seed-43.jsonl'].map((f) => join(cwd, f));
  const evaluated = spawnSync(
    process.execPath,
    [
      CLI,
      'eval',
      '--data-dir',
      dataDir,
      '--dataset',
      'inspired',
      '--predictions',
      files[0]!,
      '--compare',
      files[1]!,
      '--json',
    ],
    { cwd, encoding: 'utf8' },
  );
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const evalOutput = JSON.parse(evaluated.stdout);
  for (const metric of ['recall@1', 'recall@10', 'recall@50']) {
    assert.equal(evalOutput[metric], output.runs[0].metrics[metric], metric);
    assert.equal(evalOutput.compare[metric], output.runs[1].metrics[metric], metric);
  }
  assert.equal(evalOutput.significance.metric, 'recall@10');
});

test('crsaug train names the missing input of a mode', () => {
  const cwd = tempDir('train-cli-error');
  const run = train(cwd, ['--dataset', 'inspired', '--mode', 'stage1', '--out', 'run']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /mode stage1 needs --synthetic FILE/);
});

test('trained backbones are in the recommender registry: crsaug baseline --model kbrd trains then evaluates', () => {
  const cwd = tempDir('baseline-kbrd');
  writeFileSync(
    join(cwd, 'crsaug.config.json'),
    JSON.stringify({
      train: { epochs: 1, batchSize: 256, kbrd: { dim: 8, bases: 2, attentionDim: 8, lr: 0.01 } },
    }),
  );
  const dataDir = resolveDataDir(undefined).dir;
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'baseline',
      '--model',
      'kbrd',
      '--dataset',
      'inspired',
      '--data-dir',
      dataDir,
      '--split',
      'valid',
      '--json',
    ],
    { cwd, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const output = JSON.parse(run.stdout);
  assert.equal(output.model, 'kbrd');
  assert.equal(output.pairs, 164);
  assert.ok(output['recall@50'] > 0);
});

test('a training process killed after its first checkpoint resumes to the same metrics as an uninterrupted run', async () => {
  const cwd = tempDir('train-kill');
  writeFileSync(
    join(cwd, 'crsaug.config.json'),
    JSON.stringify({
      train: { epochs: 3, seeds: 1, batchSize: 128, kbrd: { dim: 8, bases: 2, attentionDim: 8, lr: 0.01 } },
    }),
  );
  const args = ['--dataset', 'inspired', '--json'];
  const straight = train(cwd, [...args, '--out', 'straight']);
  assert.equal(straight.status, 0, straight.stderr);
  const dataDir = resolveDataDir(undefined).dir;
  const child = spawn(
    process.execPath,
    [CLI, 'train', '--data-dir', dataDir, '--quiet', ...args, '--out', 'killed'],
    { cwd },
  );
  const firstCheckpoint = join(cwd, 'killed', 'seed-42', 'last', 'trainer-state.json');
  await new Promise<void>((resolve, reject) => {
    child.on('exit', () => reject(new Error('the run finished before it could be killed')));
    const poll = setInterval(() => {
      if (!existsSync(firstCheckpoint)) return;
      clearInterval(poll);
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill('SIGKILL');
    }, 5);
  });
  assert.ok(!existsSync(join(cwd, 'killed', 'metrics.json')), 'killed before finishing');
  const resumed = train(cwd, [...args, '--out', 'killed', '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const a = JSON.parse(straight.stdout);
  const b = JSON.parse(resumed.stdout);
  assert.deepEqual(b.runs[0].metrics, a.runs[0].metrics);
  assert.deepEqual(b.runs[0].history, a.runs[0].history);
});
