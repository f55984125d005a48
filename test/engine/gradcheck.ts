// Finite-difference gradient checking for engine ops (imported by the op tests).
import assert from 'node:assert/strict';
import { noGrad, type Tensor, tidy } from '../../src/engine/index.js';
import { Parameter } from '../../src/engine/parameter.js';
import { Rng } from '../../src/util/rng.js';

/** A trainable leaf tensor (a Parameter, freed by the caller) with N(0, scale²) values from the seed. */
export function leaf(shape: number[], seed: number, scale = 1): Parameter {
  const p = new Parameter(shape);
  const rng = new Rng(seed);
  for (let i = 0; i < p.size; i++) p.data[i] = scale * rng.normal();
  return p;
}

/**
 * Checks d(Σ r·f(inputs))/d(input) from backward() against central differences in float64 sums, for
 * every input element (or `maxPerInput` evenly spaced ones). f must be deterministic.
 */
export function gradCheck(
  f: () => Tensor,
  inputs: readonly Parameter[],
  options: { eps?: number; rtol?: number; atol?: number; maxPerInput?: number; seed?: number } = {},
): void {
  const eps = options.eps ?? 1e-2;
  const rtol = options.rtol ?? 2e-3;
  const atol = options.atol ?? 2e-3;
  const weightsRng = new Rng(options.seed ?? 99);
  for (const p of inputs) p.grad?.data.fill(0);
  let seed: Float64Array = new Float64Array(0);
  tidy(() => {
    const out = f();
    seed = Float64Array.from({ length: out.size }, () => weightsRng.normal());
    const seedTensor = out.gradBuffer();
    seedTensor.data.set(seed);
    out.backward(seedTensor);
  });
  const objective = (): number =>
    noGrad(() =>
      tidy(() => {
        const out = f().data;
        let s = 0;
        for (let i = 0; i < out.length; i++) s += seed[i]! * out[i]!;
        return s;
      }),
    );
  inputs.forEach((p, which) => {
    assert.ok(p.grad, `input ${which} received no gradient`);
    const analytic = p.grad.data;
    const stride = Math.max(1, Math.floor(p.size / (options.maxPerInput ?? p.size)));
    for (let i = 0; i < p.size; i += stride) {
      const original = p.data[i]!;
      p.data[i] = original + eps;
      const up = objective();
      p.data[i] = original - eps;
      const down = objective();
      p.data[i] = original;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[i]!);
      assert.ok(
        err <= atol + rtol * Math.abs(numeric),
        `input ${which} element ${i}: analytic ${analytic[i]} vs numeric ${numeric} (error ${err})`,
      );
    }
  });
}
