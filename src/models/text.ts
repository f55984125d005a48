import type { Catalog, KnowledgeGraph, RecContext } from '../data/types.js';
import {
  add,
  concat,
  Embedding,
  embedding,
  init,
  LayerNorm,
  Linear,
  Module,
  type Tensor,
} from '../engine/index.js';
import type { Rng } from '../util/rng.js';
import { attentionPool, Kbrd } from './kbrd.js';
import type { TextConfig } from './settings.js';
import { Tokenizer } from './tokenizer.js';
import type { BackboneModule } from './trainable.js';

/**
 * Dialogue text fused with KBRD (our CPU-sized stand-in for BARCOR/UniCRS):
 * - text vector: embeddings of the last `maxTokens` tokens (token + position counted back from the most
 *   recent token, so truncation never shifts positions + speaker role), LayerNorm, attention pooling;
 * - entity vector and item scores: a KBRD (R-GCN + self-attention pooling) child;
 * - user vector: Linear([entity vector; text vector]) → dim, scored against the R-GCN item embeddings.
 */
export class TextRecommender extends Module implements BackboneModule {
  readonly module: Module = this;
  readonly config: Record<string, unknown>;
  private readonly kg;
  private readonly tokens;
  private readonly positions;
  private readonly roles;
  private readonly norm;
  private readonly attention;
  private readonly attentionVector;
  private readonly fuse;
  private readonly tokenizer: Tokenizer;

  constructor(
    catalog: Catalog,
    graph: KnowledgeGraph,
    private readonly settings: TextConfig & { vocabulary: string[] },
    rng: Rng,
  ) {
    super();
    const { dim, attentionDim, maxTokens } = settings;
    this.tokenizer = new Tokenizer(settings.vocabulary, settings.fallbackBuckets);
    this.kg = this.child('kg', new Kbrd(catalog, graph, settings, rng));
    this.config = { ...settings };
    const std = 1 / Math.sqrt(dim);
    this.tokens = this.child('tokens', new Embedding(this.tokenizer.size, dim, rng, { std, sparse: true }));
    this.positions = init.normal(this.param('positions', [maxTokens, dim]), rng, std);
    this.roles = init.normal(this.param('roles', [2, dim]), rng, std);
    this.norm = this.child('norm', new LayerNorm(dim));
    this.attention = init.xavierUniform(this.param('attention', [dim, attentionDim]), rng);
    this.attentionVector = init.xavierUniform(this.param('attentionVector', [attentionDim, 1]), rng);
    this.fuse = this.child('fuse', new Linear(2 * dim, dim, rng));
  }

  logits(contexts: readonly RecContext[]): Tensor {
    const encoded = this.kg.encodeEntities(contexts);
    const entityUser = this.kg.userVectors(encoded, contexts);
    const user = this.fuse.forward(concat([entityUser, this.textVectors(contexts)], -1));
    return this.kg.scoreItems(user, encoded);
  }

  setItemBias(bias: Float32Array): void {
    this.kg.setItemBias(bias);
  }

  /** Attention-pooled token representations → [contexts, dim]; a context without text gives zeros. */
  private textVectors(contexts: readonly RecContext[]): Tensor {
    const encoded = contexts.map((c) => this.tokenizer.encodeDialogue(c.utterances, this.settings.maxTokens));
    const width = Math.max(1, ...encoded.map((e) => e.ids.length));
    const size = contexts.length * width;
    const ids = new Int32Array(size);
    const positions = new Int32Array(size);
    const roles = new Int32Array(size);
    const mask = new Uint8Array(size);
    encoded.forEach((e, b) => {
      e.ids.forEach((id, l) => {
        const at = b * width + l;
        ids[at] = id;
        positions[at] = e.ids.length - 1 - l;
        roles[at] = e.roles[l]!;
        mask[at] = 1;
      });
    });
    const x = add(
      add(this.tokens.forward(ids), embedding(this.positions, positions)),
      embedding(this.roles, roles),
    );
    return attentionPool(
      this.norm.forward(x),
      this.attention,
      this.attentionVector,
      contexts.length,
      width,
      mask,
    );
  }
}
