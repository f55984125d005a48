import { engine } from './engine.js';
import { axpy, zeroFill } from './parallel.js';

/** How a tensor's gradient flows to its inputs; `out.grad` is set when it runs. */
export interface GradNode {
  readonly inputs: readonly Tensor[];
  backward(out: Tensor): void;
}

/** Something with heap storage that a scope frees. */
interface Owned {
  free(): void;
}

type Scope = Set<Owned>;
const scopes: Scope[] = [];
let gradEnabled = true;

function currentScope(): Scope | null {
  return scopes.length > 0 ? scopes[scopes.length - 1]! : null;
}

/**
 * Runs fn and frees every tensor and index buffer created inside it (nested scopes free their own).
 * Return plain values (numbers, arrays copied with toArray) — returned tensors would be freed too.
 * Parameters, optimizer state and their gradients are created outside scopes and persist.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = new Set();
  scopes.push(scope);
  try {
    const result = fn();
    if (result instanceof Tensor && result.scope === scope) {
      throw new Error('tidy(): a returned tensor would be freed; return keep(t) or t.toArray()');
    }
    return result;
  } finally {
    scopes.pop();
    for (const owned of scope) owned.free();
  }
}

/** Removes a tensor (and its gradient) from its scope so it survives the enclosing tidy(); the caller frees it. */
export function keep<T extends Tensor>(t: T): T {
  for (const owned of [t, t.grad]) {
    if (!owned) continue;
    owned.scope?.delete(owned);
    owned.scope = null;
  }
  return t;
}

/** Runs fn without recording gradients (evaluation, frozen reference models). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid tensor shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** A row-major Float32 tensor stored in the engine's shared memory. */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  ptr: number;
  data: Float32Array;
  requiresGrad: boolean;
  private gradStorage: Tensor | null = null;
  /**
   * Set by clearGrad: the buffer reads as zeros, but is filled only if something reads it before a kernel
   * overwrites it whole (a parameter's GEMM gradient then stores instead of adding onto zeros it had to
   * write and read back).
   */
  private gradCleared = false;
  node: GradNode | null = null;
  /** The tidy() scope that frees this tensor, or null when the owner frees it. */
  scope: Scope | null;
  /** A view shares another tensor's storage and never releases it. */
  private readonly ownsStorage: boolean;

  protected constructor(shape: readonly number[], persistent: boolean, storageOf?: Tensor) {
    this.shape = [...shape];
    this.size = shapeSize(shape);
    const heap = engine().heap;
    this.ownsStorage = !storageOf;
    this.ptr = storageOf ? storageOf.ptr : heap.alloc(this.size * 4);
    this.data = storageOf ? storageOf.data : heap.f32(this.ptr, this.size);
    this.requiresGrad = false;
    this.scope = persistent ? null : currentScope();
    this.scope?.add(this);
  }

  /** The same storage under another shape of equal size (no copy); gradients flow back to this tensor. */
  reshape(shape: readonly number[]): Tensor {
    if (shapeSize(shape) !== this.size) throw new Error(`reshape: [${this.shape}] cannot become [${shape}]`);
    const view = new Tensor(shape, false, this);
    return record(view, [this], (v) => this.accumulateGrad(v.grad!));
  }

  /** Uninitialised storage (every element is written by the caller). */
  static empty(shape: readonly number[], options: { persistent?: boolean } = {}): Tensor {
    return new Tensor(shape, options.persistent ?? false);
  }

  static zeros(shape: readonly number[], options: { persistent?: boolean } = {}): Tensor {
    const t = new Tensor(shape, options.persistent ?? false);
    t.data.fill(0);
    return t;
  }

  static full(shape: readonly number[], value: number): Tensor {
    const t = new Tensor(shape, false);
    t.data.fill(value);
    return t;
  }

  static from(values: ArrayLike<number>, shape: readonly number[] = [values.length]): Tensor {
    const t = new Tensor(shape, false);
    if (values.length !== t.size)
      throw new Error(`${values.length} values do not fill shape [${shape.join(', ')}]`);
    t.data.set(values);
    return t;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item() needs one element, tensor has shape [${this.shape.join(', ')}]`);
    return this.data[0]!;
  }

  /** A copy that outlives the tensor. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** This tensor's gradient, or null before any has flowed to it. */
  get grad(): Tensor | null {
    if (this.gradCleared) {
      zeroFill(this.gradStorage!.ptr, this.size);
      this.gradCleared = false;
    }
    return this.gradStorage;
  }

  /** Makes the gradient zero (keeping its buffer) without a pass over it until someone reads it. */
  clearGrad(): void {
    if (this.gradStorage) this.gradCleared = true;
  }

  /** The gradient buffer, created zero-filled on first use and freed together with this tensor. */
  gradBuffer(): Tensor {
    return this.grad ?? this.newGrad(true);
  }

  /**
   * Where a kernel writes this tensor's gradient: beta 1 adds onto the existing one, 0 fills a new or
   * cleared one (the kernel must then write every element).
   */
  gradTarget(): { ptr: number; beta: number } {
    const g = this.gradStorage;
    if (!g) return { ptr: this.newGrad(false).ptr, beta: 0 };
    const beta = this.gradCleared ? 0 : 1;
    this.gradCleared = false;
    return { ptr: g.ptr, beta };
  }

  /** grad += scale · g; the first contribution is written directly (no zero-fill pass). */
  accumulateGrad(g: Tensor, scale = 1): void {
    const { ptr, beta } = this.gradTarget();
    axpy(ptr, g.ptr, this.size, scale, beta === 1);
  }

  /**
   * Takes `g` (this tensor's shape, owned by the same scope, referenced by nothing else) as this tensor's
   * gradient when it has none yet, so that a first contribution costs no copy. Returns false, changing
   * nothing, when the caller must accumulate instead.
   */
  adoptGrad(g: Tensor): boolean {
    if (this.gradStorage || g.size !== this.size || g.scope !== this.scope || !g.ownsStorage) return false;
    this.gradStorage = g;
    return true;
  }

  /** A gradient buffer living as long as this tensor, zero-filled or left uninitialised. */
  private newGrad(zeroed: boolean): Tensor {
    const g = new Tensor(this.shape, true);
    if (zeroed) g.data.fill(0);
    g.scope = this.scope;
    g.scope?.add(g);
    this.gradStorage = g;
    return g;
  }

  /** Reverse-mode autodiff from this tensor; `seed` defaults to ones (so a scalar loss gets dL/dL = 1). */
  backward(seed?: Tensor): void {
    const order = topologicalOrder(this);
    const g = this.gradBuffer();
    if (seed) {
      if (seed.size !== this.size) throw new Error('backward seed must have the output shape');
      g.data.set(seed.data);
    } else g.data.fill(1);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      if (t.node && t.grad) t.node.backward(t);
    }
  }

  /** Releases storage (and the gradient's); the tensor must not be used afterwards. */
  free(): void {
    if (this.ptr < 0) return;
    if (this.ownsStorage) engine().heap.release(this.ptr);
    this.ptr = -1;
    this.data = new Float32Array(0);
    this.node = null;
    this.scope?.delete(this);
    this.gradStorage?.free();
    this.gradStorage = null;
    this.gradCleared = false;
  }
}

/** Inputs before outputs, over the part of the graph that needs gradients. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<{ t: Tensor; next: number }> = [{ t: root, next: 0 }];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/** Attaches a backward rule to an op's output when any input needs a gradient. */
export function record(out: Tensor, inputs: readonly Tensor[], backward: (out: Tensor) => void): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { inputs, backward };
  }
  return out;
}

/** Int32 indices in the engine heap (kernels read them by pointer), freed with the current tidy() scope. */
export class IndexBuffer implements Owned {
  ptr: number;
  data: Int32Array;
  readonly length: number;
  private scope: Scope | null;

  constructor(values: ArrayLike<number>) {
    const heap = engine().heap;
    this.length = values.length;
    this.ptr = heap.alloc(Math.max(1, values.length) * 4);
    this.data = heap.i32(this.ptr, values.length);
    this.data.set(values);
    this.scope = currentScope();
    this.scope?.add(this);
  }

  free(): void {
    if (this.ptr < 0) return;
    engine().heap.release(this.ptr);
    this.ptr = -1;
    this.data = new Int32Array(0);
    this.scope?.delete(this);
  }
}

/** Index arguments of ops: a heap buffer is used as is, anything else is copied into one. */
export type Indices = IndexBuffer | ArrayLike<number>;

export function toIndexBuffer(indices: Indices): IndexBuffer {
  return indices instanceof IndexBuffer ? indices : new IndexBuffer(indices);
}
