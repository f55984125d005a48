/**
 * Tensor storage: one shared WebAssembly.Memory that the kernels (on every thread) work on directly.
 * Blocks come in size classes (four per power of two, so at most 25 % slack) with a free list per class:
 * a training step allocates the same shapes every time, so after the first step requests are served from
 * free lists and memory stops growing, and varying batch or sequence sizes share a few classes.
 * Shared memories never detach on grow, so views made at allocation time stay valid.
 */

const PAGE = 65536;
/** Every block starts on a cache line (kernels need 16-byte alignment; 64 avoids false sharing between threads). */
const ALIGN = 64;
/** The first page holds the kernel module's static data (written on each instantiation); tensors start after it. */
const RESERVED = PAGE;
/** wasm32 addresses at most 4 GiB; the kernel module declares this maximum too. */
const MAX_PAGES = 65536;

export class Heap {
  readonly memory: WebAssembly.Memory;
  private top = RESERVED;
  private readonly free = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private readonly maxPages: number;

  constructor(maxBytes: number, initialBytes = 16 * PAGE) {
    const maximum = Math.min(MAX_PAGES, Math.ceil(maxBytes / PAGE));
    const initial = Math.min(maximum, Math.ceil(Math.max(initialBytes, RESERVED + PAGE) / PAGE));
    this.maxPages = maximum;
    this.memory = new WebAssembly.Memory({ initial, maximum, shared: true });
  }

  /** A block of at least `bytes` bytes, 64-byte aligned; contents are whatever was there before. */
  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.sizes.set(reused, size);
      return reused;
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const havePages = have / PAGE;
      const need = Math.ceil((end - have) / PAGE);
      if (need > this.maxPages - havePages) {
        throw new Error(
          `engine memory exhausted: ${(this.liveBytes() / 2 ** 20).toFixed(0)} MiB live, ${bytes} more bytes requested ` +
            `beyond the ${(this.maxPages * PAGE) / 2 ** 20} MiB maximum (raise maxMemoryMB or use smaller batches)`,
        );
      }
      // Grow geometrically so a growing model does not grow one page at a time.
      this.memory.grow(Math.min(Math.max(need, Math.min(havePages, 16384)), this.maxPages - havePages));
    }
    this.top = end;
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Returns a block to its size's free list. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined)
      throw new Error(`engine heap: release of unknown or already released block ${ptr}`);
    this.sizes.delete(ptr);
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(ptr);
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** Bytes handed out and not released (for leak checks in tests and memory reports). */
  liveBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Bytes reserved from the memory so far (high-water mark). */
  reservedBytes(): number {
    return this.top;
  }
}

/** The block size serving a request: 64-byte units, rounded up to 1, 1.25, 1.5 or 1.75 times a power of two. */
export function sizeClass(bytes: number): number {
  const units = Math.max(1, Math.ceil(bytes / ALIGN));
  if (units <= 4) return units * ALIGN;
  const step = 2 ** (Math.floor(Math.log2(units)) - 2);
  return Math.ceil(units / step) * step * ALIGN;
}
