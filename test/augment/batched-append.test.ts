import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BatchedJsonlAppender } from '../../src/augment/batched-append.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-append-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [maxDelayMs, maxLines] of [
  [50, 256],
  [0, 7],
]) {
  test(`records added without waiting all land in the file, whole and in order (delay ${maxDelayMs} ms, ${maxLines} lines)`, async () => {
    const file = join(dir, `scores-${maxLines}.jsonl`);
    const appender = new BatchedJsonlAppender(file, maxDelayMs, maxLines);
    const records = Array.from({ length: 500 }, (_, i) => ({
      i,
      text: `line ${i} with "quotes"\nand a newline`,
    }));
    // Added in several bursts, each while an earlier write may still be under way.
    for (let start = 0; start < records.length; start += 50) {
      for (const r of records.slice(start, start + 50)) appender.add(r);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await appender.flush();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      records,
    );
    appender.add({ i: 500 });
    await appender.close();
    assert.equal(readFileSync(file, 'utf8').trimEnd().split('\n').length, 501);
  });
}

test('a write that fails is reported by flush and by the next add, not swallowed', async () => {
  const target = join(dir, 'a-folder');
  mkdirSync(target);
  const appender = new BatchedJsonlAppender(target);
  appender.add({ i: 1 });
  await assert.rejects(appender.flush(), /EISDIR/);
  assert.throws(() => appender.add({ i: 2 }), /EISDIR/);
  await assert.rejects(appender.close(), /EISDIR/);
});

// Regression: a timer set for lines that the running write then took along used to fire on an empty
// queue and leave a finished write behind that flush() waited on forever (a busy microtask loop).
test('a delayed write that finds its lines already written leaves nothing to wait for', async () => {
  const file = join(dir, 'late-timer.jsonl');
  const appender = new BatchedJsonlAppender(file, 20, 1000);
  appender.add({ i: 0 });
  const first = appender.flush(); // the write of line 0 starts now
  appender.add({ i: 1 }); // waits behind it, with a timer of its own
  await first; // the running write took line 1 along
  await new Promise((resolve) => setTimeout(resolve, 60)); // the timer fires on an empty queue
  appender.add({ i: 2 });
  await appender.close();
  assert.deepEqual(
    readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).i),
    [0, 1, 2],
  );
});
