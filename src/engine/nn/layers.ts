import type { Rng } from '../../util/rng.js';
import { embedding, embeddingBagMean } from '../ops/gather.js';
import { layerNorm } from '../ops/layernorm.js';
import { linear, matmul } from '../ops/matmul.js';
import type { Indices, Tensor } from '../tensor.js';
import { constant, kaimingUniform, normal, uniform } from './init.js';
import { Module } from './module.js';

/** y = x·W + b with W [in, out] (torch.nn.Linear's init); x may be [N, in] or [B, L, in]. */
export class Linear extends Module {
  readonly weight;
  readonly bias;

  constructor(inFeatures: number, outFeatures: number, rng: Rng, options: { bias?: boolean } = {}) {
    super();
    this.weight = kaimingUniform(this.param('weight', [inFeatures, outFeatures]), rng);
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias =
      options.bias === false ? null : uniform(this.param('bias', [outFeatures]), rng, -bound, bound);
  }

  forward(x: Tensor): Tensor {
    return this.bias ? linear(x, this.weight, this.bias) : matmul(x, this.weight);
  }
}

/** A lookup table [count, dim], N(0, std²) init; sparse tables get lazy optimizer updates. */
export class Embedding extends Module {
  readonly weight;

  constructor(count: number, dim: number, rng: Rng, options: { std?: number; sparse?: boolean } = {}) {
    super();
    this.weight = normal(
      this.param('weight', [count, dim], { sparse: options.sparse ?? false }),
      rng,
      options.std ?? 1,
    );
  }

  forward(indices: Indices): Tensor {
    return embedding(this.weight, indices);
  }

  /** Mean of the rows in each bag (bags[e] names the output row of indices[e]). */
  bagMean(indices: Indices, bags: Indices, count: number): Tensor {
    return embeddingBagMean(this.weight, indices, bags, count);
  }
}

export class LayerNorm extends Module {
  readonly gamma;
  readonly beta;

  constructor(
    dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.gamma = constant(this.param('weight', [dim]), 1);
    this.beta = this.param('bias', [dim]);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.gamma, this.beta, this.eps);
  }
}
