import type { KbrdConfig } from '../config/train.js';
import type { Catalog, KnowledgeGraph, RecContext } from '../data/types.js';
import {
  add,
  aggregateEdges,
  concat,
  embedding,
  IndexBuffer,
  init,
  Linear,
  Module,
  maskedAttentionPool,
  matmul,
  Tensor,
  tanh,
} from '../engine/index.js';
import type { Rng } from '../util/rng.js';
import type { TrainableModel } from './trainable.js';

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

/** The KG as typed edge lists per relation, both directions, with mean-aggregation weights (1 / in-degree). */
interface RelationEdges {
  src: Int32Array;
  dst: Int32Array;
  /** 1 / (number of edges of this relation into dst), PyG RGCNConv's aggr='mean'. */
  norm: Float32Array;
}

/** Relation r keeps id r for head → tail and gets id r + R for tail → head. */
export function relationEdges(kg: KnowledgeGraph): RelationEdges[] {
  const relations = kg.relations.length;
  const buckets = Array.from({ length: 2 * relations }, () => ({ src: [] as number[], dst: [] as number[] }));
  for (let e = 0; e < kg.heads.length; e++) {
    const r = kg.relationIds[e]!;
    buckets[r]!.src.push(kg.heads[e]!);
    buckets[r]!.dst.push(kg.tails[e]!);
    buckets[r + relations]!.src.push(kg.tails[e]!);
    buckets[r + relations]!.dst.push(kg.heads[e]!);
  }
  return buckets.map(({ src, dst }) => {
    const degree = new Map<number, number>();
    for (const d of dst) degree.set(d, (degree.get(d) ?? 0) + 1);
    return {
      src: Int32Array.from(src),
      dst: Int32Array.from(dst),
      norm: Float32Array.from(dst, (d) => 1 / degree.get(d)!),
    };
  });
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
export class Kbrd extends Module implements TrainableModel {
  readonly backbone = 'kbrd';
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
  private readonly edges: Array<{ src: IndexBuffer; dst: IndexBuffer; norm: Tensor }>;
  private readonly itemEntities: IndexBuffer;
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
    const relations = relationEdges(kg);
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
    // Graph structure lives as long as the model: persistent index buffers and constant weights.
    this.edges = relations.map((r) => {
      const norm = Tensor.empty([r.norm.length], { persistent: true });
      norm.data.set(r.norm);
      return { src: new IndexBuffer(r.src), dst: new IndexBuffer(r.dst), norm };
    });
    this.itemEntities = new IndexBuffer(catalog.itemEntity);
  }

  /** Entity representations after the R-GCN layer [entities, dim]. */
  encodeEntities(): Tensor {
    const dim = this.settings.dim;
    const relationCount = this.edges.length;
    // W_r for every relation at once: [R, B]·[B, d·d] → [R, d·d], read as R stacked [d, d] blocks.
    const weights = matmul(this.coefficients, this.bases).reshape([relationCount * dim, dim]);
    const perRelation = this.edges.map((r) =>
      aggregateEdges(this.entities, r.src, r.dst, this.entityCount, r.norm),
    );
    const messages = matmul(concat(perRelation, -1), weights);
    return add(add(this.entities, this.selfLoop.forward(this.entities)), messages);
  }

  logits(contexts: readonly RecContext[]): Tensor {
    const encoded = this.encodeEntities();
    return this.scoreItems(this.userVectors(encoded, contexts), encoded);
  }

  setItemBias(bias: Float32Array): void {
    this.itemBias.data.set(bias);
  }

  /** user · E_itemᵀ + item bias → [users, items]. */
  scoreItems(user: Tensor, encoded: Tensor): Tensor {
    return add(matmul(user, embedding(encoded, this.itemEntities), { transB: true }), this.itemBias);
  }

  /** Self-attention pooling of each context's last `maxEntities` entities; the empty row for none → [contexts, dim]. */
  userVectors(encoded: Tensor, contexts: readonly RecContext[]): Tensor {
    const table = concat([encoded, this.empty], 0);
    const emptyRow = this.entityCount;
    const kept = contexts.map((c) =>
      c.entities.length > 0 ? c.entities.slice(-this.settings.maxEntities) : [emptyRow],
    );
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

  override free(): void {
    super.free();
    for (const e of this.edges) {
      e.src.free();
      e.dst.free();
      e.norm.free();
    }
    this.itemEntities.free();
  }
}
