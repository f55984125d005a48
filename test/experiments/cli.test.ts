import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));

function experiment(...args: string[]) {
  return spawnSync(process.execPath, [cli, 'experiment', ...args], { encoding: 'utf8' });
}

test('crsaug experiment rejects what it cannot run before loading any data: usage errors exit 2', () => {
  const unknown = experiment('sizes');
  assert.equal(unknown.status, 2);
  assert.match(
    unknown.stderr,
    /unknown experiment "sizes"\n {2}hint: one of: modes, threshold, alpha, label-mode, long-tail, data-size, cost, all/,
  );

  const threshold = experiment('threshold', '--values', '3', '5');
  assert.equal(threshold.status, 2);
  assert.match(threshold.stderr, /threshold: 5 is not one of the thresholds it takes \(≥ 0 and ≤ 4\)/);

  const percent = experiment('data-size', '--values', '0');
  assert.match(
    percent.stderr,
    /data-size: 0 is not one of the percent of train contexts it takes \(> 0 and ≤ 100\)/,
  );

  const notSwept = experiment('modes', '--values', '1');
  assert.match(notSwept.stderr, /experiment modes sweeps nothing/);

  const notARun = experiment('alpha', '--run', fileURLToPath(new URL('.', import.meta.url)));
  assert.equal(notARun.status, 1);
  assert.match(notARun.stderr, /is not a crsaug run folder \(no config\.resolved\.json\)/);
});
