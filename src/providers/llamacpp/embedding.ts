import { basename, resolve } from 'node:path';
import type { LlamaEmbeddingContext } from 'node-llama-cpp';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';
import { loadGguf } from './runtime.js';

/** Values per doEmbed call: they run one after another, so this only sets progress granularity. */
const EMBEDDINGS_PER_CALL = 16;

/** Text embeddings from a local GGUF through node-llama-cpp's embedding context, L2-normalised. */
export class LlamaCppEmbeddingModel implements EmbeddingModel {
  readonly provider = 'llamacpp';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = EMBEDDINGS_PER_CALL;
  readonly supportsParallelCalls = false;

  private constructor(
    private readonly context: LlamaEmbeddingContext,
    private readonly file: string,
    readonly dimensions: number,
  ) {
    this.modelId = basename(file);
  }

  /** `threads`: CPU threads, default one per core (see LlamaCppChatOptions.threads). */
  static async load(modelPath: string, options: { threads?: number } = {}): Promise<LlamaCppEmbeddingModel> {
    const model = await loadGguf(modelPath);
    const context = await model.createEmbeddingContext(options.threads ? { threads: options.threads } : {});
    return new LlamaCppEmbeddingModel(context, resolve(modelPath), model.embeddingVectorSize);
  }

  describe(): string {
    return `llamacpp:${this.modelId} (local GGUF embedding model at ${this.file}, CPU via node-llama-cpp)`;
  }

  async doEmbed({ values, abortSignal }: EmbedRequest): Promise<EmbedResult> {
    const embeddings: Float32Array[] = [];
    for (const value of values) {
      abortSignal?.throwIfAborted();
      const { vector } = await this.context.getEmbeddingFor(value);
      const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
      embeddings.push(Float32Array.from(vector, (x) => (norm > 0 ? x / norm : 0)));
    }
    return { embeddings };
  }
}
