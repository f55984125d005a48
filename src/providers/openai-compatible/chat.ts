import { z } from 'zod';
import { redactUrl } from '../../util/secrets.js';
import type { ChatModel, FinishReason, GenerateRequest, GenerateResult, TokenLogprob } from '../types.js';
import { type HttpEndpoint, postJson } from './http.js';
import { parseResponse } from './response.js';

const CHAT_PATH = 'chat/completions';

const TokenLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

/** A /v1/chat/completions response (also the body of each line of an OpenAI Batch output file). */
export const ChatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
        logprobs: z
          .object({
            content: z
              .array(TokenLogprobSchema.extend({ top_logprobs: z.array(TokenLogprobSchema).optional() }))
              .nullable()
              .optional(),
          })
          .nullable()
          .optional(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

/** The provider id the openai-compatible clients report, and cache their results under. */
export const OPENAI_COMPATIBLE = 'openai-compatible';

export interface OpenAICompatibleChatSettings extends HttpEndpoint {
  model: string;
}

/**
 * Chat over /v1/chat/completions as spoken by OpenAI, vLLM, Ollama (/v1), llama.cpp's server and others,
 * including per-token `logprobs` with `top_logprobs` alternatives where the server supports them.
 */
export class OpenAICompatibleChatModel implements ChatModel {
  readonly provider = OPENAI_COMPATIBLE;
  readonly modelId: string;

  constructor(private readonly settings: OpenAICompatibleChatSettings) {
    this.modelId = settings.model;
  }

  describe(): string {
    return `openai-compatible:${this.modelId} (remote chat model at ${redactUrl(this.settings.baseUrl)})`;
  }

  async doGenerate(request: GenerateRequest): Promise<GenerateResult> {
    const body = chatRequestBody(this.modelId, request);
    const json = await postJson(this.settings, CHAT_PATH, body, request.abortSignal);
    const completion = parseResponse(ChatCompletionSchema, json, this.settings.baseUrl, CHAT_PATH);
    return chatCompletionResult(completion);
  }
}

/** The /v1/chat/completions body for a request (what the client sends, and what a Batch API line holds). */
export function chatRequestBody(model: string, request: GenerateRequest): Record<string, unknown> {
  return {
    model,
    messages: request.messages,
    max_tokens: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stop ? { stop: request.stop } : {}),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.logprobs ? { logprobs: true, top_logprobs: request.logprobs.topLogprobs } : {}),
    ...(request.responseFormat === 'json' ? { response_format: { type: 'json_object' } } : {}),
  };
}

/** A parsed chat completion as the provider-independent result. */
export function chatCompletionResult(completion: z.output<typeof ChatCompletionSchema>): GenerateResult {
  const choice = completion.choices[0]!;
  const logprobs: TokenLogprob[] | undefined = choice.logprobs?.content?.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    top: (t.top_logprobs ?? []).map((alt) => ({ token: alt.token, logprob: alt.logprob })),
  }));
  return {
    text: choice.message.content ?? '',
    ...(logprobs ? { logprobs } : {}),
    ...(completion.usage?.prompt_tokens === undefined
      ? {}
      : {
          usage: {
            inputTokens: completion.usage.prompt_tokens,
            outputTokens: completion.usage.completion_tokens ?? 0,
          },
        }),
    finishReason: mapFinishReason(choice.finish_reason),
  };
}

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'eos':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case null:
    case undefined:
      return 'unknown';
    default:
      return 'other';
  }
}
