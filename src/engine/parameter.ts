import { Tensor } from './tensor.js';

/**
 * A trainable tensor: persistent (never freed by tidy), gradient-requiring, named by its Module.
 * A sparse parameter (an embedding table) remembers which rows lookups touched, so the optimizer and
 * zeroGrad only visit those rows, like torch's sparse embeddings with SparseAdam.
 */
export class Parameter extends Tensor {
  readonly touchedRows: Set<number> | null;

  constructor(shape: readonly number[], options: { sparse?: boolean } = {}) {
    super(shape, true);
    this.data.fill(0);
    this.requiresGrad = true;
    this.touchedRows = options.sparse ? new Set() : null;
    if (options.sparse && shape.length !== 2) throw new Error('a sparse parameter must be a 2-D table');
  }

  /** Sorted touched rows (deterministic update order). */
  sortedTouchedRows(): Int32Array {
    return Int32Array.from(this.touchedRows ?? []).sort();
  }
}
