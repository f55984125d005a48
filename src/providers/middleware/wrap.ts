import {
  type AnyModel,
  type ChatModel,
  type EmbeddingModel,
  type EmbedRequest,
  type EmbedResult,
  type GenerateRequest,
  type GenerateResult,
  isEmbeddingModel,
} from '../types.js';

/** Code that runs around a model's calls; either hook may change the request or the result. */
export interface ModelMiddleware {
  embed?(
    request: EmbedRequest,
    next: (request: EmbedRequest) => Promise<EmbedResult>,
    model: EmbeddingModel,
  ): Promise<EmbedResult>;
  generate?(
    request: GenerateRequest,
    next: (request: GenerateRequest) => Promise<GenerateResult>,
    model: ChatModel,
  ): Promise<GenerateResult>;
}

/**
 * Returns a model that behaves like `model` (same identity and capabilities, read through the prototype)
 * but sends its calls through `middleware`. Wrappers compose: wrapModel(wrapModel(m, a), b) runs b, then a.
 */
export function wrapModel<M extends AnyModel>(model: M, middleware: ModelMiddleware): M {
  const wrapped = Object.create(model) as M;
  if (isEmbeddingModel(model)) {
    const hook = middleware.embed;
    if (hook) {
      (wrapped as EmbeddingModel).doEmbed = (request) => hook(request, (r) => model.doEmbed(r), model);
    }
  } else {
    const hook = middleware.generate;
    const chat = model as ChatModel;
    if (hook) {
      (wrapped as ChatModel).doGenerate = (request) => hook(request, (r) => chat.doGenerate(r), chat);
    }
  }
  return wrapped;
}

/** A middleware that treats both kinds of call alike: `around` gets the request and the call to make. */
export function aroundEveryCall(
  around: <R>(request: EmbedRequest | GenerateRequest, call: () => Promise<R>) => Promise<R>,
): ModelMiddleware {
  return {
    embed: (request, next) => around(request, () => next(request)),
    generate: (request, next) => around(request, () => next(request)),
  };
}
