import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArtifactStore } from '../../src/pipeline/artifact-store.js';

test('a finished stage is reused; a changed setting or input recomputes', async () => {
  const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'crsaug-art-')));
  let calls = 0;
  const compute = async (dir: string) => {
    calls++;
    writeFileSync(join(dir, 'out.txt'), 'x');
    return { n: calls };
  };
  const identity = { stage: 'retrieve', version: 1, settings: { k: 50, t: 'a' }, inputs: ['prepare-abc'] };
  const first = await store.run(identity, compute);
  const again = await store.run({ ...identity, settings: { t: 'a', k: 50 } }, compute);
  assert.equal(calls, 1);
  assert.equal(again.reused, true);
  assert.deepEqual(again.value, { n: 1 });
  assert.equal(again.key, first.key);

  const changed = await store.run({ ...identity, settings: { k: 20, t: 'a' } }, compute);
  assert.equal(calls, 2);
  assert.notEqual(changed.key, first.key);
  const newInput = await store.run({ ...identity, inputs: ['prepare-def'] }, compute);
  assert.equal(calls, 3);
  assert.notEqual(newInput.key, first.key);
});

test('a stage killed before finishing is computed again in the same folder', async () => {
  const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'crsaug-art-')));
  const identity = { stage: 'score', version: 1, settings: {}, inputs: [] };
  await assert.rejects(
    store.run(identity, async (dir) => {
      writeFileSync(join(dir, 'partial.jsonl'), '{"done":1}\n');
      throw new Error('killed');
    }),
  );
  const resumed = await store.run(identity, async (dir) => existsSync(join(dir, 'partial.jsonl')));
  assert.equal(resumed.value, true, 'the partial output is still there for the stage to resume from');
  assert.equal(resumed.reused, false);
});
