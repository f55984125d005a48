import { existsSync } from 'node:fs';
import { contextEmbeddingsBase, readEmbeddings } from '../data/embeddings-file.js';
import { type Catalog, type RecContext, SPLIT_NAMES } from '../data/types.js';
import { embedding, Linear, Module, relu, Tensor } from '../engine/index.js';
import { CrsaugError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { EmbedHeadConfig } from './settings.js';
import type { BackboneModule } from './trainable.js';

/** Frozen context vectors by "dialog_id\u0000turn_id", as one table in the engine heap. */
export interface ContextEmbeddingTable {
  rows: Map<string, number>;
  dims: number;
  /** Persistent [rows, dims] tensor (never trained). */
  matrix: Tensor;
  /** Where the vectors came from (for error messages). */
  source: string;
}

function keyOf(dialogId: string, turnId: number): string {
  return `${dialogId}\u0000${turnId}`;
}

/**
 * Reads the context embeddings that `crsaug augment retrieve` writes into its output folder:
 * `<dir>/<split>.contexts.f32` + `<split>.contexts.json` for each split present (format crsaug-embeddings/1:
 * a JSON index with rows, dims and keys [{dialog_id, turn_id}], and a little-endian row-major float32 matrix).
 */
export function loadContextEmbeddings(dir: string): ContextEmbeddingTable {
  const bases = SPLIT_NAMES.map((split) => contextEmbeddingsBase(dir, split)).filter((b) =>
    existsSync(`${b}.json`),
  );
  if (bases.length === 0) {
    throw new CrsaugError(`no context embeddings in ${dir}`, {
      hint: 'expected <split>.contexts.json + .f32 as written by `crsaug augment retrieve` (docs/training.md)',
    });
  }
  const files = bases.map((base) => readEmbeddings(base));
  const dims = files[0]!.index.dims;
  const rows = new Map<string, number>();
  const total = files.reduce((n, f) => n + f.index.rows, 0);
  const matrix = Tensor.empty([total, dims], { persistent: true });
  let at = 0;
  files.forEach((file, i) => {
    if (file.index.dims !== dims) {
      matrix.free();
      throw new CrsaugError(`${bases[i]}.json has ${file.index.dims} dims, ${bases[0]}.json has ${dims}`);
    }
    file.index.keys.forEach((key, r) => {
      if ('dialog_id' in key) rows.set(keyOf(key.dialog_id, key.turn_id), at + r);
    });
    matrix.data.set(file.matrix, at * dims);
    at += file.index.rows;
  });
  return { rows, dims, matrix, source: dir };
}

/**
 * An MLP over frozen context embeddings: logits = W₂·relu(W₁·x + b₁) + b₂ over items (one linear layer when
 * hidden = 0). The cheapest backbone: it learns nothing about the dialogue itself, only a map from a fixed
 * context vector to items, so it isolates what the labels (real vs synthetic) contribute.
 */
export class EmbedHead extends Module implements BackboneModule {
  readonly module: Module = this;
  readonly config: Record<string, unknown>;
  private readonly layers: Linear[];

  constructor(
    catalog: Catalog,
    private readonly table: ContextEmbeddingTable,
    settings: EmbedHeadConfig,
    rng: Rng,
  ) {
    super();
    const items = catalog.itemEntity.length;
    this.config = { ...settings, dims: table.dims, items };
    this.layers =
      settings.hidden > 0
        ? [
            this.child('hidden', new Linear(table.dims, settings.hidden, rng)),
            this.child('output', new Linear(settings.hidden, items, rng)),
          ]
        : [this.child('output', new Linear(table.dims, items, rng))];
  }

  logits(contexts: readonly RecContext[]): Tensor {
    const rows = contexts.map((c) => {
      const row = this.table.rows.get(keyOf(c.dialogId, c.turnId));
      if (row === undefined) {
        throw new CrsaugError(
          `no embedding for context (dialog ${c.dialogId}, turn ${c.turnId}) in ${this.table.source}`,
          {
            hint: 'embed every split you train or evaluate on: `crsaug augment retrieve --splits train,valid,test`',
          },
        );
      }
      return row;
    });
    let x = embedding(this.table.matrix, rows);
    this.layers.forEach((layer, i) => {
      x = layer.forward(i > 0 ? relu(x) : x);
    });
    return x;
  }

  setItemBias(bias: Float32Array): void {
    this.layers[this.layers.length - 1]!.bias!.data.set(bias);
  }

  override free(): void {
    super.free();
    this.table.matrix.free();
  }
}
