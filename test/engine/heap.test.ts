import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heap, sizeClass } from '../../src/engine/heap.js';

test('size classes: 64-byte aligned, at most 25 % slack', () => {
  for (const bytes of [1, 64, 65, 1000, 4096, 4097, 123457, 7_340_032]) {
    const size = sizeClass(bytes);
    assert.equal(size % 64, 0);
    assert.ok(size >= bytes);
    assert.ok(size <= Math.max(64, bytes * 1.25 + 64), `${bytes} → ${size}`);
  }
});

test('the heap reuses released blocks, grows on demand, and old views stay valid', () => {
  const heap = new Heap(64 * 2 ** 20, 2 * 65536);
  const a = heap.alloc(1000);
  assert.equal(a % 64, 0);
  const view = heap.f32(a, 250);
  view.fill(3);
  heap.release(a);
  assert.equal(heap.alloc(990), a, 'same size class comes back from the free list');
  const big = heap.alloc(8 * 2 ** 20);
  heap.f32(big, 2 ** 21).fill(1);
  assert.ok(heap.memory.buffer.byteLength >= big + 8 * 2 ** 20);
  assert.equal(view[249], 3, 'a view made before growth still reads the same memory');
  assert.throws(() => heap.release(12345), /unknown or already released/);
  assert.throws(() => heap.alloc(128 * 2 ** 20), /engine memory exhausted/);
});
