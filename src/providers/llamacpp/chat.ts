import { basename, resolve } from 'node:path';
import type { ChatHistoryItem, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { Semaphore } from '../middleware/semaphore.js';
import type {
  ChatMessage,
  ChatModel,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  TokenLogprob,
} from '../types.js';
import { importNodeLlamaCpp, loadGguf, type NodeLlamaCpp } from './runtime.js';

export interface LlamaCppChatOptions {
  /** Tokens of prompt plus answer; default: the model's training context, at most 4096. */
  contextSize?: number;
  /** CPU threads; default one per core. llama.cpp's threads spin while they wait, so on a busy machine fewer is faster. */
  threads?: number;
}

const DEFAULT_MAX_CONTEXT = 4096;

/**
 * A local GGUF chat model through node-llama-cpp. The prompt is rendered with the model's own chat template
 * (node-llama-cpp's resolveChatWrapper), and tokens are generated one by one so each can carry its
 * probability and the best alternatives, like the logprobs of an OpenAI-compatible server.
 */
export class LlamaCppChatModel implements ChatModel {
  readonly provider = 'llamacpp';
  readonly modelId: string;
  /** One sequence in one context: calls take turns. */
  private readonly turn = new Semaphore(1);

  private constructor(
    private readonly lib: NodeLlamaCpp,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly file: string,
  ) {
    this.modelId = basename(file);
  }

  static async load(modelPath: string, options: LlamaCppChatOptions = {}): Promise<LlamaCppChatModel> {
    const lib = await importNodeLlamaCpp();
    const model = await loadGguf(modelPath);
    const context = await model.createContext({
      contextSize: options.contextSize ?? Math.min(DEFAULT_MAX_CONTEXT, model.trainContextSize),
      sequences: 1,
      ...(options.threads ? { threads: options.threads } : {}),
    });
    return new LlamaCppChatModel(lib, model, context, resolve(modelPath));
  }

  describe(): string {
    return `llamacpp:${this.modelId} (local GGUF chat model at ${this.file}, CPU via node-llama-cpp)`;
  }

  doGenerate(request: GenerateRequest): Promise<GenerateResult> {
    return this.turn.run(() => this.generate(request));
  }

  private async generate(request: GenerateRequest): Promise<GenerateResult> {
    const wrapper = this.lib.resolveChatWrapper(this.model);
    const history: ChatHistoryItem[] = [
      ...request.messages.map(toHistoryItem),
      { type: 'model', response: [] },
    ];
    const prompt = wrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(this.model.tokenizer);
    const sequence = this.context.getSequence();
    const wantTop = request.logprobs?.topLogprobs;
    const tokens: Token[] = [];
    const logprobs: TokenLogprob[] = [];
    let text = '';
    let finishReason: FinishReason = 'stop';
    try {
      const generator = sequence.evaluateWithMetadata(
        prompt,
        { confidence: true, probabilities: wantTop !== undefined },
        {
          temperature: request.temperature ?? 0,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
        },
      );
      for await (const step of generator) {
        request.abortSignal?.throwIfAborted();
        // probabilities is present exactly when it was asked for above.
        const output = step as { token: Token; confidence: number; probabilities?: Map<Token, number> };
        tokens.push(output.token);
        text = this.model.detokenize(tokens);
        if (wantTop !== undefined) logprobs.push(this.logprob(output, wantTop));
        const stop = request.stop?.map((s) => text.indexOf(s)).find((at) => at !== -1);
        if (stop !== undefined) {
          text = text.slice(0, stop);
          break;
        }
        if (tokens.length >= request.maxTokens) {
          finishReason = 'length';
          break;
        }
      }
    } finally {
      await sequence.dispose();
    }
    return {
      text,
      ...(wantTop === undefined ? {} : { logprobs }),
      usage: { inputTokens: prompt.length, outputTokens: tokens.length },
      finishReason,
    };
  }

  private logprob(
    output: { token: Token; confidence: number; probabilities?: Map<Token, number> },
    top: number,
  ): TokenLogprob {
    // The map is sorted from the most to the least probable token.
    const alternatives = [...(output.probabilities ?? new Map<Token, number>()).entries()].slice(0, top);
    return {
      token: this.model.detokenize([output.token]),
      logprob: Math.log(output.confidence),
      top: alternatives.map(([t, p]) => ({ token: this.model.detokenize([t]), logprob: Math.log(p) })),
    };
  }
}

function toHistoryItem(message: ChatMessage): ChatHistoryItem {
  if (message.role === 'assistant') return { type: 'model', response: [message.content] };
  return message.role === 'system'
    ? { type: 'system', text: message.content }
    : { type: 'user', text: message.content };
}
