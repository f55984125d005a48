import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MissingFileError } from '../../util/errors.js';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';

/** The part of a transformers.js feature-extraction pipeline this provider uses. */
type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

export interface TransformersEmbeddingOptions {
  /** Texts per forward pass (padding to the longest text in a batch wastes less with small batches). */
  batchSize?: number;
}

/**
 * A local ONNX encoder through @huggingface/transformers, offline: remote downloads are disabled and the
 * model is read from a folder in the Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx).
 * Sentence vectors are the attention-mask-weighted mean of the last hidden states, L2-normalised.
 */
export class TransformersEmbeddingModel implements EmbeddingModel {
  readonly provider = 'transformers';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: number;
  readonly supportsParallelCalls = false;

  private constructor(
    private readonly extractor: FeatureExtractor,
    private readonly folder: string,
    readonly dimensions: number | undefined,
    batchSize: number,
  ) {
    this.modelId = basename(folder);
    this.maxEmbeddingsPerCall = batchSize;
  }

  static async load(
    modelPath: string,
    options: TransformersEmbeddingOptions = {},
  ): Promise<TransformersEmbeddingModel> {
    const folder = resolve(modelPath);
    const onnx = join(folder, 'onnx', 'model.onnx');
    if (!existsSync(onnx)) {
      throw new MissingFileError(
        onnx,
        'point providers.embedding.modelPath at a folder holding config.json, tokenizer.json and onnx/model.onnx (e.g. a Hugging Face repo exported with optimum)',
      );
    }
    const { env, pipeline } = await import('@huggingface/transformers');
    // transformers.js settings are process-wide; these only ever narrow it to local files.
    env.allowRemoteModels = false;
    env.localModelPath = `${dirname(folder)}/`;
    const extractor = (await pipeline('feature-extraction', basename(folder), {
      dtype: 'fp32',
    })) as unknown as FeatureExtractor;
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as { hidden_size?: number };
    return new TransformersEmbeddingModel(extractor, folder, config.hidden_size, options.batchSize ?? 32);
  }

  describe(): string {
    return `transformers:${this.modelId} (local ONNX encoder at ${this.folder}, mean pooling + L2 normalisation)`;
  }

  async doEmbed({ values }: EmbedRequest): Promise<EmbedResult> {
    const output = await this.extractor(values, { pooling: 'mean', normalize: true });
    const width = output.dims[1]!;
    return {
      embeddings: values.map((_, i) => output.data.slice(i * width, (i + 1) * width)),
    };
  }
}
