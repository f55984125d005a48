import { Rng } from '../../util/rng.js';
import { orthonormalizeColumns, symmetricEigen, times, transposeTimes } from './dense.js';
import { type CsrMatrix, sparseTimesDense, sparseTransposeTimesDense } from './sparse.js';

export interface TruncatedSvdOptions {
  rank: number;
  /** Extra random directions beyond `rank` (Halko et al. recommend 5–10). */
  oversampling?: number;
  /** Power iterations; each sharpens the spectrum for slowly decaying singular values (text needs 2–4). */
  powerIterations?: number;
  seed?: number;
  /** Called after each stage with a short name, for progress lines. */
  onStage?: (stage: string) => void;
}

export interface TruncatedSvd {
  /** Singular values, descending [rank]. */
  singularValues: Float64Array;
  /** Right singular vectors as a row-major [X.cols × rank] (column c is the c-th component). */
  components: Float64Array;
  rank: number;
}

/**
 * The top singular values and right singular vectors of a sparse X by the randomized range finder
 * (Halko, Martinsson & Tropp 2011, Alg. 4.4 + 5.1): Q spans X·Ω refined by power iterations, and the small
 * problem QᵀX is solved through the eigen-decomposition of (QᵀX)(QᵀX)ᵀ. Every large product is sparse × dense,
 * so the cost grows with the non-zeros of X, not with the vocabulary size times the rank squared.
 */
export function truncatedSvd(x: CsrMatrix, options: TruncatedSvdOptions): TruncatedSvd {
  const maxRank = Math.min(x.rows, x.cols);
  const rank = Math.min(options.rank, maxRank);
  const width = Math.min(rank + (options.oversampling ?? 8), maxRank);
  const rng = new Rng(options.seed ?? 0);
  const omega = new Float64Array(x.cols * width);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();

  const q = sparseTimesDense(x, omega, width);
  orthonormalizeColumns(q, x.rows, width);
  options.onStage?.('range');
  for (let i = 0; i < (options.powerIterations ?? 2); i++) {
    // Q ← orth(X·XᵀQ). Only the [rows × width] side is orthonormalised: the term side is wider and would
    // dominate the cost, and CholeskyQR2 on Q keeps the iteration stable for the few steps we take.
    q.set(sparseTimesDense(x, sparseTransposeTimesDense(x, q, width), width));
    orthonormalizeColumns(q, x.rows, width);
    options.onStage?.(`power iteration ${i + 1}`);
  }
  // With B = QᵀX, B·Bᵀ = Qᵀ·X·(XᵀQ) is [width × width]. Its eigenvectors W and eigenvalues σ² give B's
  // right singular vectors, which are X's: V = Bᵀ·W/σ = Xᵀ·(Q·W/σ).
  const xtq = sparseTransposeTimesDense(x, q, width);
  const { values, vectors } = symmetricEigen(
    transposeTimes(q, sparseTimesDense(x, xtq, width), x.rows, width, width),
    width,
  );
  const singularValues = Float64Array.from(values.subarray(0, rank), (v) => Math.sqrt(Math.max(0, v)));
  const scaled = new Float64Array(width * rank);
  for (let k = 0; k < width; k++) {
    for (let c = 0; c < rank; c++) {
      const sigma = singularValues[c]!;
      scaled[k * rank + c] = sigma > 0 ? vectors[k * width + c]! / sigma : 0;
    }
  }
  const components = sparseTransposeTimesDense(x, times(q, scaled, x.rows, width, rank), rank);
  options.onStage?.('components');
  return { singularValues, components, rank };
}
