import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashValue, stableStringify } from '../../src/util/hash.js';

test('stable stringify sorts keys at every depth, keeps array order, drops undefined; artifact keys stay as they were', () => {
  const identity = {
    version: 1,
    stage: 'retrieve',
    settings: { topK: 50, nested: { z: true, a: null, gone: undefined }, names: ['b', 'a'], lr: 0.001 },
    inputs: ['dataset-inspired-[1413,164,161]'],
  };
  assert.equal(
    stableStringify(identity),
    '{"inputs":["dataset-inspired-[1413,164,161]"],"settings":{"lr":0.001,"names":["b","a"],"nested":{"a":null,"z":true},"topK":50},"stage":"retrieve","version":1}',
  );
  // the hash the hand-written stringify gave (and Python's json.dumps(sort_keys=True) gives): keys unchanged
  assert.equal(hashValue(identity), '196c0570119f4ce7e8711b4b2cd040a7bf378970917f96d973ebe88707101bf2');
});
