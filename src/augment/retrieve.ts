import type { RetrieveConfig } from '../config/augment.js';
import type { Catalog, Dataset, RecContext, SplitName } from '../data/types.js';
import { embedMany } from '../providers/embed-many.js';
import type { EmbeddingModel } from '../providers/types.js';
import { CrsaugError } from '../util/errors.js';
import { writeJsonl } from '../util/jsonl.js';
import { Progress } from '../util/progress.js';
import {
  type CandidateRecord,
  candidatesFile,
  contextEmbeddingsBase,
  EMBEDDINGS_FORMAT,
  itemEmbeddingsBase,
  writeEmbeddings,
} from './artifacts.js';
import { renderContextText, wrapForEmbedding } from './context-text.js';
import { Bm25Index } from './features/bm25.js';
import { KgLinks } from './features/kg-links.js';
import { itemDescription, RECENT_USER_TURNS, userTurns } from './features/text.js';
import { checkItemTemplate, renderItemText } from './item-text.js';
import { TitleMatcher } from './mentioned-titles.js';
import { inShard, type Shard, shardSuffix } from './shard.js';
import { type InnerProducts, type TopKRow, topKInnerProduct } from './topk.js';

export interface RetrieveOptions {
  dataset: Dataset;
  splits: SplitName[];
  model: EmbeddingModel;
  config: RetrieveConfig;
  outDir: string;
  shard?: Shard;
  /** Defaults to the engine's wasm GEMM. */
  innerProducts?: InnerProducts;
  silent?: boolean;
}

export interface RetrieveSplitSummary {
  split: SplitName;
  /** Contexts of the split in this shard. */
  contexts: number;
  /** Contexts left out because their dialogue text is empty (nothing to embed). */
  emptyContexts: number;
  candidatesFile: string;
  embeddingsBase: string;
  /** Mean items excluded per context: linked entities, and titles found in the text. */
  meanExcludedByEntities: number;
  meanExcludedByTitles: number;
  /**
   * Share of the split's (context, gold) pairs (gold after repeated-item removal) whose gold item is among
   * the context's candidates: the retriever's recall at top-K.
   */
  goldRecall: number;
  seconds: number;
  contextsPerSecond: number;
}

export interface RetrieveSummary {
  model: string;
  items: number;
  dims: number;
  splits: RetrieveSplitSummary[];
}

/** Every item's text for embedding (and for the fit corpus of the builtin embedder). */
export function itemTexts(catalog: Catalog, config: RetrieveConfig): string[] {
  checkItemTemplate(config.itemTemplate, 'augment.retrieve.itemTemplate');
  return catalog.items.map((item) => renderItemText(item, { template: config.itemTemplate, ...config }));
}

/** The items a context already mentions: its linked entities and, optionally, titles written in its text. */
export function mentionedItems(
  context: RecContext,
  catalog: Catalog,
  titles: TitleMatcher | undefined,
): { byEntity: Set<number>; byTitle: Set<number> } {
  const byEntity = new Set<number>();
  for (const entity of context.entities) {
    const item = catalog.itemOfEntity[entity] ?? -1;
    if (item >= 0) byEntity.add(item);
  }
  const byTitle = new Set<number>();
  if (titles) {
    for (const item of titles.find(context.utterances.join('\n'))) if (!byEntity.has(item)) byTitle.add(item);
  }
  return { byEntity, byTitle };
}

/** The item texts as embedded: each wrapped in the document prefix/suffix. */
export function itemDocuments(catalog: Catalog, config: RetrieveConfig): string[] {
  return itemTexts(catalog, config).map((t) =>
    wrapForEmbedding(t, config.documentPrefix, config.documentSuffix),
  );
}

export interface SplitQueries {
  split: SplitName;
  /** Contexts of the split in the shard that have dialogue text (row i of the queries). */
  contexts: RecContext[];
  /** Their texts as embedded: wrapped in the query prefix/suffix. */
  texts: string[];
  /** Contexts of the shard left out because their dialogue text is empty (nothing to embed). */
  emptyContexts: number;
}

export function contextQueries(
  dataset: Dataset,
  split: SplitName,
  config: RetrieveConfig,
  shard?: Shard,
): SplitQueries {
  const loaded = dataset.splits[split];
  if (!loaded) throw new CrsaugError(`split "${split}" was not loaded for ${dataset.name}`);
  const inThisShard = loaded.contexts.filter((c) => inShard(c.dialogId, c.turnId, shard));
  const rendered = inThisShard.map((c) => renderContextText(c, config));
  const kept = inThisShard.map((_, i) => i).filter((i) => rendered[i] !== '');
  return {
    split,
    contexts: kept.map((i) => inThisShard[i]!),
    texts: kept.map((i) => wrapForEmbedding(rendered[i]!, config.queryPrefix, config.querySuffix)),
    emptyContexts: inThisShard.length - kept.length,
  };
}

export function titleMatcherOf(catalog: Catalog): TitleMatcher {
  const people = catalog.items.flatMap((item) => [...item.directors, ...item.stars, ...item.writers]);
  return new TitleMatcher(
    catalog.items.map((item) => item.name),
    people,
  );
}

/**
 * Semantic retrieval: embeds every item and every context of the requested splits (in the shard), takes the
 * exact top-K items per context by inner product, never returning an item the context already mentions, and
 * writes `<split>.candidates.jsonl`, `<split>.contexts.{f32,json}` and `items.{f32,json}` (docs/augment.md).
 */
export async function retrieve(options: RetrieveOptions): Promise<RetrieveSummary> {
  const { dataset, config, model, outDir } = options;
  const { catalog } = dataset;
  const items = await embedWithProgress(model, itemDocuments(catalog, config), 'embed items', options.silent);
  await writeEmbeddings(itemEmbeddingsBase(outDir), {
    index: {
      ...embeddingHeader(model, 'items', config.documentPrefix, config.documentSuffix),
      rows: items.rows,
      dims: items.dimensions,
      keys: catalog.items.map((item) => ({ item: item.name })),
    },
    matrix: items.embeddings,
  });
  const titles = config.excludeMentionedTitles ? titleMatcherOf(catalog) : undefined;
  const summaries: RetrieveSplitSummary[] = [];
  for (const name of options.splits) {
    const { contexts, texts, emptyContexts } = contextQueries(dataset, name, config, options.shard);
    const queries = await embedWithProgress(model, texts, `embed ${name} contexts`, options.silent);
    if (queries.rows > 0 && queries.dimensions !== items.dimensions) {
      throw new CrsaugError(
        `${model.describe()} gave ${queries.dimensions}-d contexts but ${items.dimensions}-d items`,
      );
    }
    const exclusions = contexts.map((c) => mentionedItems(c, catalog, titles));
    const hybrid = config.pool === 'hybrid' ? new LexicalKgRankings(dataset) : undefined;
    const progress = new Progress(`retrieve ${name}`, contexts.length, {
      unit: 'contexts',
      silent: options.silent,
    });
    let done = 0;
    const semantic = topKInnerProduct(
      queries.embeddings,
      contexts.length,
      items.embeddings,
      items.rows,
      items.dimensions,
      {
        k: Math.min(hybrid ? Math.max(config.topK, config.hybrid.depth) : config.topK, items.rows),
        excluded: (row) => [...exclusions[row]!.byEntity, ...exclusions[row]!.byTitle],
        blockRows: config.blockRows,
        innerProducts: options.innerProducts,
        onBlock: (rowsDone) => {
          progress.tick(rowsDone - done);
          done = rowsDone;
        },
      },
    );
    const rows = hybrid
      ? semantic.map((row, i) =>
          hybrid.fuse(contexts[i]!, row, exclusions[i]!, {
            topK: config.topK,
            ...config.hybrid,
          }),
        )
      : semantic;
    const timing = progress.finish();
    const records: CandidateRecord[] = contexts.map((c, i) => ({
      dialog_id: c.dialogId,
      turn_id: c.turnId,
      candidates: Array.from(rows[i]!.items, (item, r) => ({
        item: catalog.items[item]!.name,
        rank: r + 1,
        sim: Number(rows[i]!.sims[r]!.toFixed(6)),
      })),
    }));
    const file = candidatesFile(outDir, name, options.shard);
    await writeJsonl(file, records);
    const embeddingsBase = contextEmbeddingsBase(outDir, name, shardSuffix(options.shard));
    await writeEmbeddings(embeddingsBase, {
      index: {
        ...embeddingHeader(model, 'contexts', config.queryPrefix, config.querySuffix),
        rows: queries.rows,
        dims: items.dimensions,
        keys: contexts.map((c) => ({ dialog_id: c.dialogId, turn_id: c.turnId })),
      },
      matrix: queries.embeddings,
    });
    const mean = (pick: (e: (typeof exclusions)[number]) => number) =>
      contexts.length ? exclusions.reduce((s, e) => s + pick(e), 0) / contexts.length : 0;
    // Over every context of the split in the shard: a context with no text to embed has no candidates.
    let gold = 0;
    for (const c of dataset.splits[name]!.contexts)
      if (inShard(c.dialogId, c.turnId, options.shard)) gold += c.gold.length;
    let found = 0;
    for (const [i, context] of contexts.entries()) {
      const kept = new Set(rows[i]!.items);
      found += context.gold.filter((item) => kept.has(item)).length;
    }
    summaries.push({
      split: name,
      contexts: contexts.length,
      emptyContexts,
      candidatesFile: file,
      embeddingsBase,
      meanExcludedByEntities: mean((e) => e.byEntity.size),
      meanExcludedByTitles: mean((e) => e.byTitle.size),
      goldRecall: gold > 0 ? found / gold : 0,
      seconds: timing.seconds,
      contextsPerSecond: timing.perSecond,
    });
  }
  return { model: model.describe(), items: items.rows, dims: items.dimensions, splits: summaries };
}

function embeddingHeader(model: EmbeddingModel, kind: 'contexts' | 'items', prefix: string, suffix: string) {
  return {
    format: EMBEDDINGS_FORMAT,
    dtype: 'float32' as const,
    byteOrder: 'little' as const,
    kind,
    model: model.describe(),
    modelId: `${model.provider}:${model.modelId}`,
    prefix,
    suffix,
  };
}

async function embedWithProgress(model: EmbeddingModel, values: string[], label: string, silent?: boolean) {
  const progress = new Progress(label, values.length, { unit: 'texts', silent });
  let reported = 0;
  const result = await embedMany(model, values, {
    onProgress: (done) => {
      progress.tick(done - reported);
      reported = done;
    },
  });
  progress.finish();
  return result;
}

/**
 * The lexical and KG rankings of the hybrid pool, fused with the semantic one by reciprocal rank: BM25 of the
 * latest user turns against the item descriptions (what the user asks for in words), and the IDF-weighted KG
 * overlap between each item and what the context names (items sharing a director, an author, a rare genre).
 */
export class LexicalKgRankings {
  private readonly bm25: Bm25Index;
  private readonly kg: KgLinks;

  constructor(dataset: Dataset) {
    this.bm25 = new Bm25Index(dataset.catalog.items.map(itemDescription));
    this.kg = new KgLinks(dataset.catalog, dataset.kg);
  }

  /**
   * The context's top-K by Σ 1 / (rrfK + rank) over the semantic row (its first `depth` items), the BM25
   * ranking and the KG ranking (each its first `depth` items with a positive score); mentioned items never
   * enter. `sims` of the result are the fused scores.
   */
  fuse(
    context: RecContext,
    semantic: TopKRow,
    excluded: { byEntity: Set<number>; byTitle: Set<number> },
    o: { topK: number; depth: number; rrfK: number },
  ): TopKRow {
    const fused = new Map<number, number>();
    const add = (ranked: Iterable<number>) => {
      let rank = 0;
      for (const item of ranked) {
        if (excluded.byEntity.has(item) || excluded.byTitle.has(item)) continue;
        rank++;
        fused.set(item, (fused.get(item) ?? 0) + 1 / (o.rrfK + rank));
        if (rank >= o.depth) break;
      }
    };
    add(semantic.items.subarray(0, o.depth));
    const recent = userTurns(context.utterances).slice(-RECENT_USER_TURNS).join('\n');
    add(positiveRanking(this.bm25.scoreAll(recent)));
    add(positiveRanking(this.kg.scoreAll(this.kg.profile(context.entities))));
    const best = [...fused].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, o.topK);
    return { items: Int32Array.from(best, ([item]) => item), sims: Float32Array.from(best, ([, s]) => s) };
  }
}

/** Indices of the positive scores, best first (ties: lower index first). */
function positiveRanking(scores: Float64Array): number[] {
  const items: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) items.push(i);
  return items.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
