import { CrsaugError } from '../../util/errors.js';
import { type AdamWHyper, adamw, adamwRows, zeroRows } from '../parallel.js';
import type { Parameter } from '../parameter.js';
import { IndexBuffer, Tensor } from '../tensor.js';

export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (torch.optim.AdamW default 0.01). */
  weightDecay?: number;
  /** Parameters that get no weight decay (e.g. biases and LayerNorm gains). */
  noDecay?: (name: string, p: Parameter) => boolean;
}

interface Slot {
  name: string;
  param: Parameter;
  m: Tensor;
  v: Tensor;
  decay: boolean;
}

/**
 * AdamW (torch.optim.AdamW semantics, bias-corrected, decoupled decay). Sparse parameters update only
 * the rows touched since the last zeroGrad — moments of untouched rows stay frozen, like SparseAdam —
 * which keeps a 30k-row embedding table cheap.
 */
export class AdamW {
  readonly options: Required<Omit<AdamWOptions, 'noDecay'>>;
  private readonly slots: Slot[];
  private t = 0;

  constructor(named: Array<[string, Parameter]>, options: AdamWOptions) {
    this.options = {
      lr: options.lr,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.01,
    };
    this.slots = named.map(([name, param]) => ({
      name,
      param,
      m: Tensor.zeros(param.shape, { persistent: true }),
      v: Tensor.zeros(param.shape, { persistent: true }),
      decay: !(options.noDecay?.(name, param) ?? false),
    }));
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update with learning rate lr · lrFactor (the schedule's factor for this step). */
  step(lrFactor = 1): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.options;
    const lr = this.options.lr * lrFactor;
    const stepSize = lr / (1 - beta1 ** this.t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** this.t);
    for (const s of this.slots) {
      const g = s.param.grad;
      if (!g) continue;
      const p = s.param;
      const hyper: AdamWHyper = [beta1, beta2, eps, s.decay ? lr * weightDecay : 0, stepSize, invSqrtBc2];
      if (p.touchedRows) {
        const rows = new IndexBuffer(p.touchedRows.rows());
        adamwRows(p.ptr, g.ptr, s.m.ptr, s.v.ptr, rows.ptr, rows.length, p.shape[1]!, ...hyper);
        rows.free();
      } else adamw(p.ptr, g.ptr, s.m.ptr, s.v.ptr, p.size, hyper);
    }
  }

  /** Zeroes gradients (only the touched rows of sparse parameters) and forgets touched rows. */
  zeroGrad(): void {
    zeroGrad(this.slots.map((s) => s.param));
  }

  /** Optimizer state (moments and step) by name, for resumable checkpoints. */
  state(): Map<string, { shape: readonly number[]; data: Float32Array }> {
    const out = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const s of this.slots) {
      out.set(`${s.name}.exp_avg`, { shape: s.param.shape, data: s.m.data });
      out.set(`${s.name}.exp_avg_sq`, { shape: s.param.shape, data: s.v.data });
    }
    out.set('step', { shape: [], data: Float32Array.of(this.t) });
    return out;
  }

  /**
   * Restores what `state()` returned (moments and step count), e.g. from a checkpoint; `file` names the
   * source in errors. Every entry must be present with the live size.
   */
  loadState(saved: Map<string, { data: Float32Array }>, file: string): void {
    for (const [name, target] of this.state()) {
      const entry = saved.get(name);
      if (!entry || entry.data.length !== target.data.length) {
        throw new CrsaugError(`${file}: optimizer state "${name}" is missing or has another size`);
      }
      if (name === 'step') this.t = entry.data[0]!;
      else target.data.set(entry.data);
    }
  }

  free(): void {
    for (const s of this.slots) {
      s.m.free();
      s.v.free();
    }
  }
}

export function zeroGrad(params: readonly Parameter[]): void {
  for (const p of params) {
    if (!p.touchedRows) {
      p.clearGrad();
      continue;
    }
    if (!p.grad) continue;
    const rows = new IndexBuffer(p.touchedRows.rows());
    zeroRows(p.grad.ptr, rows.ptr, rows.length, p.shape[1]!);
    rows.free();
    p.touchedRows.clear();
  }
}
