import { InputError } from '../../util/errors.js';
import { Parameter } from '../parameter.js';

/** Raw weights as stored in a checkpoint. */
export interface NamedArray {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * A container of named parameters and child modules. Subclasses create parameters with `param()` and
 * sub-layers with `child()` in their constructor, and define their own forward methods. Names are
 * dotted paths ("encoder.layer0.weight") used by checkpoints and optimizers.
 */
export abstract class Module {
  private readonly ownParams = new Map<string, Parameter>();
  private readonly children = new Map<string, Module>();
  /** Training mode (dropout on); eval() turns it off. */
  training = true;

  protected param(name: string, shape: readonly number[], options: { sparse?: boolean } = {}): Parameter {
    this.checkName(name);
    const p = new Parameter(shape, options);
    this.ownParams.set(name, p);
    return p;
  }

  protected child<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this.children.set(name, module);
    return module;
  }

  private checkName(name: string): void {
    if (!/^[A-Za-z0-9_]+$/.test(name) || this.ownParams.has(name) || this.children.has(name)) {
      throw new Error(`module member name "${name}" is invalid or already used`);
    }
  }

  /** [dotted name, parameter] pairs in definition order. */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [name, p] of this.ownParams) out.push([prefix + name, p]);
    for (const [name, m] of this.children) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Freezes (false) or unfreezes all parameters, e.g. the frozen stage-1 reference model of stage 2. */
  setRequiresGrad(flag: boolean): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameter values by name (views, not copies). */
  stateDict(): Map<string, NamedArray> {
    return new Map(this.namedParameters().map(([name, p]) => [name, { shape: p.shape, data: p.data }]));
  }

  /** Copies weights in by name; every parameter must be present with its exact shape. */
  loadStateDict(state: ReadonlyMap<string, NamedArray>, source = 'state dict'): void {
    const where = (name: string) => ({ file: source, field: name });
    for (const [name, p] of this.namedParameters()) {
      const w = state.get(name);
      if (!w) throw new InputError(where(name), 'missing parameter');
      if (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i])) {
        throw new InputError(where(name), `has shape [${w.shape}], the model expects [${p.shape}]`);
      }
      // A NaN weight makes every score NaN: say which file is damaged before anything is ranked with it.
      const bad = nonFiniteCount(w.data);
      if (bad > 0) {
        throw new InputError(
          where(name),
          `${bad} of ${w.data.length} values are NaN or infinite: the checkpoint is damaged`,
          { hint: 'retrain it, or use another checkpoint (e.g. the run’s other seed or epoch folders)' },
        );
      }
      p.data.set(w.data);
    }
  }

  /** Releases every parameter (and gradient); the module is unusable afterwards. */
  free(): void {
    for (const p of this.parameters()) p.free();
  }
}

function nonFiniteCount(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
}
