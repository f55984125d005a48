import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { CLI } from '../eval/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-run-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'crsaug.config.json'),
  JSON.stringify({
    cacheDir: join(dir, 'cache'),
    train: { epochs: 1, seeds: 1, kbrd: { dim: 8, bases: 2, attentionDim: 8 } },
    run: { stage1Epochs: 1, examples: 2 },
    augment: { synthesize: { topK: 10 } },
  }),
);

function run(args: string[]) {
  const dataDir = resolveDataDir(undefined).dir;
  return spawnSync(process.execPath, [CLI, 'run', '--dataset', 'inspired', '--data-dir', dataDir, ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
}

test('crsaug run prints one line per stage with its place and an ETA; --json prints the results and files', () => {
  const quiet = run(['--out', 'quiet', '--json']);
  assert.equal(quiet.status, 0, quiet.stderr);
  const lines = quiet.stderr.trim().split('\n');
  // 4 augmentation stages, 6 trainings and the re-ranking, then the judged metrics and the attribute
  // simulator of popularity and the 6 trained modes.
  assert.equal(lines.length, 25, quiet.stderr);
  lines.forEach((line, i) => {
    assert.match(line, new RegExp(`^\\[${i + 1}/25\\] [\\w-]+: computing [\\w-]+ \\(`));
  });
  // Once a stage of every kind (augmentation, training, evaluation) has run, every line has an estimate.
  for (const line of lines.slice(11)) assert.match(line, /ETA about \d/);
  assert.doesNotMatch(quiet.stderr, /epoch|labels on \d+ contexts/);
  const output = JSON.parse(quiet.stdout);
  assert.equal(output.dataset, 'inspired');
  assert.ok(output.results.kbrd.stage2['42']['recall@50'] >= 0);
  for (const file of Object.values(output.files as Record<string, string>)) assert.ok(existsSync(file), file);

  // the synthetic dataset sits in the run folder under a stable name, and export writes it for other code
  assert.ok(existsSync(join(dir, 'quiet', 'synthetic', 'train.synthetic.jsonl')));
  for (const format of ['cfcrs', 'hf', 'crslab']) {
    const exported = spawnSync(
      process.execPath,
      [CLI, 'export', '--run', 'quiet', '--format', format, '--json'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    assert.equal(exported.status, 0, exported.stderr);
    const result = JSON.parse(exported.stdout);
    assert.equal(result.dir, join(dir, 'quiet', 'export', format));
    assert.ok(result.contexts > 0);
    for (const file of result.files) assert.ok(existsSync(file), file);
  }
});

test('crsaug run --verbose adds every stage’s own progress, down to each epoch of each seed', () => {
  const verbose = run(['--out', 'verbose', '--verbose']);
  assert.equal(verbose.status, 0, verbose.stderr);
  assert.match(verbose.stderr, /^\[5\/25\] train-kbrd-baseline: computing/m);
  assert.match(verbose.stderr, /seed 42 epoch 1\/1/);
});
