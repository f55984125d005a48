import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { tempPathFor, writeAtomically, writeFileAtomic } from '../../src/util/atomic-file.js';
import { writeJsonFile } from '../../src/util/json.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-atomic-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('tempPathFor: a new name for every write, naming the process and the thread', () => {
  const names = Array.from({ length: 3 }, () => tempPathFor('/x/metrics.json'));
  assert.equal(new Set(names).size, 3);
  for (const name of names) assert.match(name, new RegExp(`^/x/metrics\\.json\\.tmp-${process.pid}-0-\\d+$`));
});

// Regression: seed workers of one run write their stage's metrics.json at the same time; with a temporary
// name per process, one write renamed the other's file away (ENOENT) or into place half-written.
test('writeJsonFile: concurrent writes of one file, from this thread and a worker thread, all land whole', async () => {
  const file = join(root, 'metrics.json');
  const value = (i: number) => ({ writer: i, rows: Array.from({ length: 2000 }, (_, r) => r * i) });
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(new URL('../../src/util/json.js', import.meta.url).href)}).then(async ({ writeJsonFile }) => {
       await Promise.all(Array.from({ length: 20 }, (_, i) =>
         writeJsonFile(${JSON.stringify(file)}, { writer: 100 + i, rows: Array.from({ length: 2000 }, (_, r) => r * (100 + i)) })));
       parentPort.postMessage('done');
     });`,
    { eval: true },
  );
  const workerDone = new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  await Promise.all([...Array.from({ length: 20 }, (_, i) => writeJsonFile(file, value(i))), workerDone]);
  await worker.terminate();
  const written = JSON.parse(readFileSync(file, 'utf8')) as { writer: number; rows: number[] };
  assert.deepEqual(written, value(written.writer));
  assert.deepEqual(readdirSync(root), ['metrics.json'], 'no temporary file is left behind');
});

test('writeAtomically: a write that fails leaves the old file as it was and no temporary file', async () => {
  const dir = mkdtempSync(join(root, 'failing-'));
  const file = join(dir, 'scores.jsonl');
  await writeFileAtomic(file, 'old\n');
  const failure = new Error('disk full');
  await assert.rejects(
    writeAtomically(file, async (tmp) => {
      await writeFileAtomic(tmp, 'half');
      throw failure;
    }),
    failure,
  );
  assert.equal(readFileSync(file, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir), ['scores.jsonl']);
});
