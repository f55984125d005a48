/**
 * Tensor storage: one shared WebAssembly.Memory that the kernels (on every thread) work on directly.
 * Allocation is by exact rounded size with per-size free lists: a training step allocates the same shapes
 * every time, so after the first step every request is served from a free list and memory stops growing.
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
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
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
      const need = Math.ceil((end - have) / PAGE);
      // Grow geometrically so a growing model does not grow one page at a time.
      const pages = Math.max(need, Math.min(have / PAGE, 16384));
      try {
        this.memory.grow(Math.min(pages, this.maxPages - have / PAGE));
      } catch {
        try {
          this.memory.grow(need);
        } catch (cause) {
          throw new Error(
            `engine memory exhausted: ${(have / 2 ** 20).toFixed(0)} MiB in use, ${bytes} more bytes requested ` +
              '(raise the engine maxMemoryMB setting or use smaller batches)',
            { cause },
          );
        }
      }
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
