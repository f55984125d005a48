import { Tensor } from './tensor.js';

/**
 * A trainable tensor: persistent (never freed by tidy), gradient-requiring, named by its Module.
 * A sparse parameter (an embedding table) remembers which rows lookups touched, so the optimizer and
 * zeroGrad only visit those rows, like torch's sparse embeddings with SparseAdam.
 */
export class Parameter extends Tensor {
  readonly touchedRows: RowSet | null;

  constructor(shape: readonly number[], options: { sparse?: boolean } = {}) {
    super(shape, true);
    this.data.fill(0);
    this.requiresGrad = true;
    this.touchedRows = options.sparse ? new RowSet(shape[0]!) : null;
    if (options.sparse && shape.length !== 2) throw new Error('a sparse parameter must be a 2-D table');
  }
}

/** A set of row indices with O(1) insert, listed in ascending order. */
export class RowSet {
  private readonly marks: Uint8Array;
  private readonly order: number[] = [];
  /** The ascending list, kept until the set changes (the optimizer step and zeroGrad both ask for it). */
  private ascending: Int32Array | null = null;

  constructor(rows: number) {
    this.marks = new Uint8Array(rows);
  }

  add(row: number): void {
    if (this.marks[row]) return;
    this.marks[row] = 1;
    this.order.push(row);
    this.ascending = null;
  }

  get size(): number {
    return this.order.length;
  }

  /**
   * Ascending, so per-row updates walk the table's memory forward (a random order cost the lazy AdamW
   * more than the dense one); each row's update is independent of the others, so order changes nothing.
   * A set holding more than 1/16 of the rows is listed by one pass over the marks instead of a sort.
   */
  rows(): Int32Array {
    if (this.ascending) return this.ascending;
    const out = new Int32Array(this.order.length);
    if (this.order.length * 16 > this.marks.length) {
      let k = 0;
      for (let r = 0; r < this.marks.length; r++) if (this.marks[r]) out[k++] = r;
    } else {
      out.set(this.order);
      out.sort();
    }
    this.ascending = out;
    return out;
  }

  clear(): void {
    for (let i = 0; i < this.order.length; i++) this.marks[this.order[i]!] = 0;
    this.order.length = 0;
    this.ascending = null;
  }
}
