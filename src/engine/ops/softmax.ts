import { engine } from '../engine.js';
import { record, Tensor } from '../tensor.js';

/** softmax(x / temperature) over the last axis. */
export function softmax(x: Tensor, temperature = 1): Tensor {
  const cols = x.shape[x.rank - 1]!;
  const rows = x.size / cols;
  const out = Tensor.empty(x.shape);
  engine().kernels.softmaxRows(x.ptr, rows, cols, 1 / temperature, out.ptr);
  return record(out, [x], (o) => {
    // dx = y ⊙ (g − Σ g·y) / T, row by row.
    const y = o.data;
    const g = o.grad!.data;
    const gx = x.gradBuffer().data;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += g[base + c]! * y[base + c]!;
      for (let c = 0; c < cols; c++) gx[base + c]! += (y[base + c]! * (g[base + c]! - dot)) / temperature;
    }
  });
}
