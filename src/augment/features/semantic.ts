import type { RetrieveConfig } from '../../config/augment.js';
import type { Catalog, RecContext } from '../../data/types.js';
import { embedMany } from '../../providers/embed-many.js';
import type { EmbeddingModel } from '../../providers/types.js';
import { renderContextText, wrapForEmbedding } from '../context-text.js';
import { itemTexts } from '../retrieve.js';
import { engineInnerProducts, releaseEngineItems } from '../topk.js';
import { RECENT_USER_TURNS, userTurns } from './text.js';

/** The weight decay per turn of the recency-weighted similarity over the RECENT_USER_TURNS latest user turns. */
const RECENCY_DECAY = 0.5;

/** A context's cosine similarities to every catalog item. */
export interface ContextSimilarities {
  /** Whole context text vs each item. */
  context: Float32Array;
  /** Recency-weighted mean over the last user turns (weights 1, ½, ¼ from the latest back). */
  recentUser: Float32Array;
}

/**
 * Context–item similarities in the retriever's embedding space: the same item texts, context texts and
 * query/document wrappers as `augment retrieve` (retrieve.ts), so a student's similarity features mean
 * the same on judged pairs and on retrieved candidates. Vectors are L2-normalised: a dot product is the cosine.
 */
export class SemanticSpace {
  private constructor(
    readonly model: EmbeddingModel,
    private readonly config: RetrieveConfig,
    private readonly itemVectors: Float32Array,
    readonly dimensions: number,
    readonly items: number,
  ) {}

  static async create(
    model: EmbeddingModel,
    catalog: Catalog,
    config: RetrieveConfig,
  ): Promise<SemanticSpace> {
    const docs = itemTexts(catalog, config).map((t) =>
      wrapForEmbedding(t, config.documentPrefix, config.documentSuffix),
    );
    const { embeddings, dimensions } = await embedMany(model, docs);
    normaliseRows(embeddings, dimensions);
    return new SemanticSpace(model, config, embeddings, dimensions, catalog.items.length);
  }

  /**
   * Similarities of each context to every item. The dot products run as one GEMM per call on the engine
   * (the kernel retrieval uses), float32 accumulation: |Δ| ≤ ~1e-6 from a float64 loop, and the same values
   * retrieval ranks by.
   */
  async similarities(contexts: readonly RecContext[]): Promise<ContextSimilarities[]> {
    const query = (text: string) => wrapForEmbedding(text, this.config.queryPrefix, this.config.querySuffix);
    const texts: string[] = [];
    const layout = contexts.map((context) => {
      const start = texts.length;
      texts.push(query(renderContextText(context, this.config)));
      const recent = userTurns(context.utterances).slice(-RECENT_USER_TURNS).reverse();
      texts.push(...recent.map(query));
      return { start, recent: recent.length };
    });
    const { embeddings } = await embedMany(this.model, texts);
    normaliseRows(embeddings, this.dimensions);
    const n = this.items;
    let products: Float32Array;
    try {
      products = engineInnerProducts(embeddings, texts.length, this.itemVectors, n, this.dimensions);
    } finally {
      releaseEngineItems();
    }
    const row = (r: number) => products.subarray(r * n, (r + 1) * n);
    return layout.map(({ start, recent }) => {
      const context = row(start).slice();
      const recentUser = new Float32Array(n);
      let weight = 1;
      let weights = 0;
      for (let t = 0; t < recent; t++, weight *= RECENCY_DECAY) {
        const sims = row(start + 1 + t);
        for (let i = 0; i < n; i++) recentUser[i]! += weight * sims[i]!;
        weights += weight;
      }
      if (weights > 0) for (let i = 0; i < n; i++) recentUser[i]! /= weights;
      return { context, recentUser };
    });
  }
}

function normaliseRows(block: Float32Array, dimensions: number): void {
  for (let base = 0; base < block.length; base += dimensions) {
    let norm = 0;
    for (let k = 0; k < dimensions; k++) norm += block[base + k]! ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dimensions; k++) block[base + k]! *= inv;
  }
}
