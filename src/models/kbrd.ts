import type { Catalog, KnowledgeGraph, RecContext } from '../data/types.js';
import {
  add,
  concat,
  embedding,
  init,
  Linear,
  Module,
  maskedAttentionPool,
  matmul,
  slice,
  type Tensor,
  tanh,
} from '../engine/index.js';
import type { Rng } from '../util/rng.js';
import { type RelationEdges, relationEdges, relationMessages } from './rgcn.js';
import type { KbrdConfig } from './settings.js';
import type { BackboneModule } from './trainable.js';

/**
 * KBRD's self-attention pooling: for rows [count·width, dim] holding `count` sequences of `width`,
 * score_l = tanh(v_l·A)·w, a = softmax over the unmasked positions, out = Σ a_l v_l → [count, dim].
 */
export function attentionPool(
  values: Tensor,
  attention: Tensor,
  vector: Tensor,
  count: number,
  width: number,
  mask: ArrayLike<number>,
): Tensor {
  const dim = values.shape[1]!;
  const scores = matmul(tanh(matmul(values, attention)), vector);
  return maskedAttentionPool(scores.reshape([count, width]), values.reshape([count, width, dim]), mask);
}

/** R-GCN outputs for the entities a batch needs: every item first (row i = item i), then context entities. */
export interface EncodedEntities {
  vectors: Tensor;
  /** Row of each entity id in `vectors`, −1 when it was not computed. */
  rowOf: Int32Array;
}

/**
 * KBRD (Chen et al. 2019) on our engine:
 * - entity encoder: learned entity embeddings X plus one R-GCN layer, E = X + X·W_self + b + Σ_r mean_{j→i, r} x_j·W_r,
 *   with W_r = Σ_b a_{r,b} V_b (basis decomposition) over the KG's relations in both directions;
 * - user vector: self-attention pooling over the context's most recent entities, score_l = tanh(e_l·A)·w;
 * - logits over items only: user · E_itemᵀ + item bias.
 * A context with no entities gets a learned "empty" user vector (one extra pooling row that only such
 * contexts use), instead of the reference's zero vector, so those contexts still get a learned ranking.
 */
export class Kbrd extends Module implements BackboneModule {
  readonly module: Module = this;
  readonly config: Record<string, unknown>;
  private readonly entities;
  private readonly bases;
  private readonly coefficients;
  private readonly selfLoop;
  private readonly empty;
  private readonly attention;
  private readonly attentionVector;
  private readonly itemBias;
  private readonly relations: RelationEdges[];
  private readonly itemEntities: Int32Array;
  private readonly entityCount: number;

  constructor(
    catalog: Catalog,
    kg: KnowledgeGraph,
    private readonly settings: KbrdConfig,
    rng: Rng,
  ) {
    super();
    const { dim, bases, attentionDim } = settings;
    this.entityCount = catalog.entityNames.length;
    const relations = relationEdges(kg, this.entityCount);
    this.relations = relations;
    this.itemEntities = catalog.itemEntity;
    this.config = {
      ...settings,
      entities: this.entityCount,
      items: catalog.itemEntity.length,
      relations: relations.length,
    };
    this.entities = init.normal(this.param('entities', [this.entityCount, dim]), rng, 1 / Math.sqrt(dim));
    const basisBound = Math.sqrt(3 / dim);
    this.bases = init.uniform(this.param('bases', [bases, dim * dim]), rng, -basisBound, basisBound);
    this.coefficients = init.xavierUniform(this.param('coefficients', [relations.length, bases]), rng);
    this.selfLoop = this.child('selfLoop', new Linear(dim, dim, rng));
    this.empty = init.normal(this.param('empty', [1, dim]), rng, 1 / Math.sqrt(dim));
    this.attention = init.xavierUniform(this.param('attention', [dim, attentionDim]), rng);
    this.attentionVector = init.xavierUniform(this.param('attentionVector', [attentionDim, 1]), rng);
    this.itemBias = this.param('itemBias', [catalog.itemEntity.length]);
  }

  /**
   * R-GCN outputs for every item and the kept entities of `contexts` (one layer only reads the rows' own
   * in-edges, so the rest of the graph need not be computed): E = X + X·W_self + b + Σ_r mean_{j→i} x_j·W_r.
   */
  encodeEntities(contexts: readonly RecContext[]): EncodedEntities {
    const rowOf = new Int32Array(this.entityCount).fill(-1);
    const rows: number[] = [];
    const need = (entity: number) => {
      if (rowOf[entity]! < 0) {
        rowOf[entity] = rows.length;
        rows.push(entity);
      }
    };
    for (const entity of this.itemEntities) need(entity);
    for (const c of contexts) for (const entity of this.keptEntities(c)) need(entity);
    const dim = this.settings.dim;
    // W_r for every relation at once: [R, B]·[B, d·d] → [R, d·d], read as R stacked [d, d] blocks.
    const weights = matmul(this.coefficients, this.bases).reshape([this.relations.length * dim, dim]);
    const own = embedding(this.entities, rows);
    const messages = relationMessages(this.entities, weights, this.relations, Int32Array.from(rows));
    return { vectors: add(add(own, this.selfLoop.forward(own)), messages), rowOf };
  }

  logits(contexts: readonly RecContext[]): Tensor {
    const encoded = this.encodeEntities(contexts);
    return this.scoreItems(this.userVectors(encoded, contexts), encoded);
  }

  setItemBias(bias: Float32Array): void {
    this.itemBias.data.set(bias);
  }

  /** user · E_itemᵀ + item bias → [users, items]. */
  scoreItems(user: Tensor, encoded: EncodedEntities): Tensor {
    const items = slice(encoded.vectors, 0, 0, this.itemEntities.length);
    return add(matmul(user, items, { transB: true }), this.itemBias);
  }

  /** The context entities the user vector pools over: the last `maxEntities`. */
  private keptEntities(context: RecContext): number[] {
    return context.entities.slice(-this.settings.maxEntities);
  }

  /** Self-attention pooling of each context's kept entities; the empty row for none → [contexts, dim]. */
  userVectors(encoded: EncodedEntities, contexts: readonly RecContext[]): Tensor {
    const emptyRow = encoded.vectors.shape[0]!;
    const table = concat([encoded.vectors, this.empty], 0);
    const kept = contexts.map((c) => {
      const ids = this.keptEntities(c).map((entity) => encoded.rowOf[entity]!);
      return ids.length > 0 ? ids : [emptyRow];
    });
    const width = Math.max(...kept.map((k) => k.length));
    const ids = new Int32Array(contexts.length * width).fill(emptyRow);
    const mask = new Uint8Array(contexts.length * width);
    kept.forEach((list, b) => {
      list.forEach((id, l) => {
        ids[b * width + l] = id;
        mask[b * width + l] = 1;
      });
    });
    const values = embedding(table, ids);
    return attentionPool(values, this.attention, this.attentionVector, contexts.length, width, mask);
  }
}
