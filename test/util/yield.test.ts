import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventLoopYield } from '../../src/util/yield.js';

/** Busy-waits, as a training step does: nothing else on the event loop runs meanwhile. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('EventLoopYield lets the event loop run once its interval of busy work is over, not before', async () => {
  const breather = new EventLoopYield(30);
  let ran = 0;
  setImmediate(() => ran++);
  busy(5);
  await breather.maybe();
  assert.equal(ran, 0, 'within the interval it does not yield');
  busy(40);
  await breather.maybe();
  assert.equal(ran, 1, 'after the interval the pending callback ran');
  setImmediate(() => ran++);
  await breather.maybe();
  assert.equal(ran, 1, 'the interval starts again after a yield');
});
