/**
 * Provider specifications, shaped like the Vercel AI SDK's (`doEmbed`, `doGenerate`: the `do` prefix marks
 * the raw call, which callers reach through `embedMany` or the wrappers in this folder rather than directly).
 */

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What every model says about itself, printed in every output that used it. */
export interface ModelIdentity {
  /** Provider name, e.g. 'openai-compatible', 'builtin', 'transformers', 'llamacpp'. */
  readonly provider: string;
  readonly modelId: string;
  /** One line naming the provider and model and saying plainly what it is (e.g. that an offline default is not neural). */
  describe(): string;
}

export interface EmbedRequest {
  values: string[];
  abortSignal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per input value, in input order. */
  embeddings: Float32Array[];
  /** Input tokens when the provider reports them. */
  usage?: { inputTokens: number };
}

export interface EmbeddingModel extends ModelIdentity {
  /** Largest `values.length` that one `doEmbed` call accepts (Infinity when unlimited). */
  readonly maxEmbeddingsPerCall: number;
  /** Whether several `doEmbed` calls may run at once (false for a single local context). */
  readonly supportsParallelCalls: boolean;
  /** Vector length when known before the first call. */
  readonly dimensions?: number;
  doEmbed(request: EmbedRequest): Promise<EmbedResult>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
  /** Ask for the log-probabilities of each generated token and of its `topLogprobs` best alternatives. */
  logprobs?: { topLogprobs: number };
  /** Stop sequences. */
  stop?: string[];
  /**
   * 'json': the answer must be one JSON object (OpenAI's response_format json_object; the prompt must say
   * so too). Providers without such a mode ignore it.
   */
  responseFormat?: 'json';
  /**
   * Ask the model even when the cache holds an answer, and let the new answer replace it (re-asking a pair
   * whose cached answer was unusable). Not part of the cache key, never sent.
   */
  refreshCache?: boolean;
  seed?: number;
  abortSignal?: AbortSignal;
}

export interface TokenAlternative {
  token: string;
  logprob: number;
}

/** One generated token with its log-probability and the best alternatives at that position. */
export interface TokenLogprob extends TokenAlternative {
  top: TokenAlternative[];
}

/** 'length' means the output was cut by maxTokens: callers must treat the text as possibly incomplete. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'other' | 'unknown';

export interface GenerateResult {
  text: string;
  logprobs?: TokenLogprob[];
  /** Token counts as the provider reported them; absent when it reported none (cost then stays unknown). */
  usage?: TokenUsage;
  finishReason: FinishReason;
}

export interface ChatModel extends ModelIdentity {
  doGenerate(request: GenerateRequest): Promise<GenerateResult>;
}

export type AnyModel = ChatModel | EmbeddingModel;

export function isEmbeddingModel(model: AnyModel): model is EmbeddingModel {
  return typeof (model as EmbeddingModel).doEmbed === 'function';
}
