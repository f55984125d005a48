import type { EmbeddingModel } from './types.js';

export interface EmbedManyOptions {
  /** Chunks in flight at once (only used when the model supports parallel calls). */
  maxParallelCalls?: number;
  /** Values per call; defaults to the model's maxEmbeddingsPerCall, and never exceeds it. */
  batchSize?: number;
  /** Called after each chunk with the number of values embedded so far. */
  onProgress?: (done: number, total: number) => void;
  abortSignal?: AbortSignal;
}

export interface EmbedManyResult {
  /** Row-major [rows × dimensions] block, row i embedding values[i]. */
  embeddings: Float32Array;
  rows: number;
  dimensions: number;
  /** Summed input tokens, or undefined when any call did not report them. */
  inputTokens?: number;
}

/** Without a model limit, chunks stay small enough to show progress and to resume from the cache. */
const DEFAULT_CHUNK = 256;

/**
 * Embeds any number of values: splits them into chunks within the model's per-call limit, runs chunks in
 * parallel only when the model allows it, and packs the vectors into one block in input order.
 */
export async function embedMany(
  model: EmbeddingModel,
  values: string[],
  options: EmbedManyOptions = {},
): Promise<EmbedManyResult> {
  const limit = Number.isFinite(model.maxEmbeddingsPerCall) ? model.maxEmbeddingsPerCall : DEFAULT_CHUNK;
  const chunkSize = Math.max(1, Math.min(options.batchSize ?? limit, limit));
  const parallel = model.supportsParallelCalls ? Math.max(1, options.maxParallelCalls ?? 4) : 1;
  const chunks: number[] = [];
  for (let start = 0; start < values.length; start += chunkSize) chunks.push(start);

  const vectors = new Array<Float32Array>(values.length);
  let inputTokens: number | undefined = 0;
  let done = 0;
  let nextChunk = 0;
  const worker = async () => {
    while (nextChunk < chunks.length) {
      const start = chunks[nextChunk++]!;
      const slice = values.slice(start, start + chunkSize);
      const result = await model.doEmbed({ values: slice, abortSignal: options.abortSignal });
      if (result.embeddings.length !== slice.length) {
        throw new Error(
          `${model.describe()} returned ${result.embeddings.length} vectors for ${slice.length} values`,
        );
      }
      result.embeddings.forEach((v, i) => {
        vectors[start + i] = v;
      });
      inputTokens =
        result.usage && inputTokens !== undefined ? inputTokens + result.usage.inputTokens : undefined;
      done += slice.length;
      options.onProgress?.(done, values.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));

  const dimensions = vectors[0]?.length ?? model.dimensions ?? 0;
  const block = new Float32Array(values.length * dimensions);
  vectors.forEach((v, i) => {
    if (v.length !== dimensions) {
      throw new Error(
        `${model.describe()} returned vectors of different lengths (${v.length} vs ${dimensions})`,
      );
    }
    block.set(v, i * dimensions);
  });
  return {
    embeddings: block,
    rows: values.length,
    dimensions,
    ...(inputTokens === undefined ? {} : { inputTokens }),
  };
}
