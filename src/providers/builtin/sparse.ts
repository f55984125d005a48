/** A sparse row-major matrix (compressed sparse rows). */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** Row i's entries are at positions rowStart[i] .. rowStart[i+1]-1 of `columns` and `values`. */
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** X·D for a dense row-major D [X.cols × width]: returns a dense [X.rows × width]. */
export function sparseTimesDense(
  x: CsrMatrix,
  dense: Float64Array | Float32Array,
  width: number,
): Float64Array {
  const out = new Float64Array(x.rows * width);
  for (let i = 0; i < x.rows; i++) {
    const o = i * width;
    for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) {
      const v = x.values[p]!;
      const d = x.columns[p]! * width;
      for (let c = 0; c < width; c++) out[o + c]! += v * dense[d + c]!;
    }
  }
  return out;
}

/** Xᵀ·D for a dense row-major D [X.rows × width]: returns a dense [X.cols × width]. */
export function sparseTransposeTimesDense(x: CsrMatrix, dense: Float64Array, width: number): Float64Array {
  const out = new Float64Array(x.cols * width);
  for (let i = 0; i < x.rows; i++) {
    const d = i * width;
    for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) {
      const v = x.values[p]!;
      const o = x.columns[p]! * width;
      for (let c = 0; c < width; c++) out[o + c]! += v * dense[d + c]!;
    }
  }
  return out;
}
