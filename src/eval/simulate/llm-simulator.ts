import type { Dataset, RecContext } from '../../data/types.js';
import type { ChatMessage, ChatModel } from '../../providers/types.js';
import type { CatalogLinker } from './entity-links.js';
import { SimulatorKnowledge } from './knowledge.js';
import { buildPersona, buildRetryMessages, buildUserMessages, type Persona } from './llm-prompt.js';
import { TitleGuard, type TitleLeak } from './title-guard.js';
import type { Feedback, SimulatedUser, SimulatorTurn, UserSimulator } from './types.js';

/**
 * The LLM simulator: a chat model plays the user from a persona (its target's attributes and plot, never the
 * title) and writes free-form feedback after each miss. A guard (TitleGuard with distinctive title words)
 * rejects any answer naming a target or a word of its title, and an empty answer; a rejected answer is
 * re-asked with the reason, up to `maxAttempts` calls. When every answer was rejected, the last one's
 * leaking sentences are dropped; if nothing is left, a fixed fallback is said (`fallback` in the feedback).
 * Calls go through `model` as the provider factory wraps it, so they are cached (a rerun replays answered
 * calls for free), retried and rate-limited like teacher scoring. Each re-ask is a different request, so a
 * restart replays them in order too.
 */
export interface LlmSimulatorOptions {
  model: ChatModel;
  seed: number;
  /** Calls per turn at most (the first answer plus re-asks). */
  maxAttempts: number;
  maxTokens: number;
  temperature: number;
  /** Plot in the persona cut to this many characters; 0 = whole plot. */
  plotChars: number;
}

export const DEFAULT_LLM_SIMULATOR = {
  maxAttempts: 3,
  maxTokens: 80,
  temperature: 0,
  plotChars: 240,
} as const;

const FALLBACKS = ["That's not what I'm looking for.", 'Something else, please.', ''];

export class LlmSimulator implements UserSimulator {
  readonly name = 'llm';
  private readonly knowledge: SimulatorKnowledge;

  constructor(
    dataset: Pick<Dataset, 'catalog' | 'kg'>,
    private readonly options: LlmSimulatorOptions,
  ) {
    this.knowledge = new SimulatorKnowledge(dataset);
  }

  get identity(): string {
    const o = this.options;
    return `llm/1 ${o.model.provider}:${o.model.modelId} seed=${o.seed} attempts=${o.maxAttempts} tokens=${o.maxTokens} temperature=${o.temperature} plot=${o.plotChars}`;
  }

  describe(): string {
    const o = this.options;
    return `LLM simulator (${o.model.describe()}): persona of a target's attributes and plot, title guard with up to ${o.maxAttempts} calls a turn, temperature ${o.temperature}, seed ${o.seed}`;
  }

  start(context: RecContext, targets: readonly number[]): SimulatedUser {
    const { catalog } = this.knowledge.dataset;
    const described = this.knowledge.describedTarget(this.options.seed, context, targets).item;
    const guard = new TitleGuard(
      targets.map((t) => catalog.items[t]!),
      { words: true },
    );
    const persona = buildPersona(
      this.knowledge.attributes.of(described),
      catalog.items[described]!,
      guard,
      this.options.plotChars,
    );
    return new LlmUser(persona, guard, this.knowledge.linker, this.options);
  }
}

class LlmUser implements SimulatedUser {
  constructor(
    private readonly persona: Persona,
    private readonly guard: TitleGuard,
    private readonly linker: CatalogLinker,
    private readonly options: LlmSimulatorOptions,
  ) {}

  async respond(turn: SimulatorTurn): Promise<Feedback> {
    let messages: ChatMessage[] = buildUserMessages(this.persona, turn.context);
    let answer = '';
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const result = await this.options.model.doGenerate({
        messages,
        maxTokens: this.options.maxTokens,
        temperature: this.options.temperature,
        seed: this.options.seed,
      });
      answer = cleanAnswer(result.text);
      const problem = answer ? describeLeak(this.guard.check(answer)) : 'it is empty';
      if (problem === undefined) return this.feedback(answer, { rejected: attempt - 1 });
      messages = buildRetryMessages(messages, result.text, problem, this.persona);
    }
    const kept = answer
      .split(/(?<=[.!?])\s+/)
      .filter((sentence) => sentence && !this.guard.check(sentence))
      .join(' ');
    const text = kept || FALLBACKS.find((f) => !this.guard.check(f))!;
    return this.feedback(text, { rejected: this.options.maxAttempts, fallback: true });
  }

  private feedback(text: string, stats: Pick<Feedback, 'rejected' | 'fallback'>): Feedback {
    return { text, entities: this.linker.link(text), ...stats };
  }
}

/** The answer as the user's utterance: one line, no speaker label or wrapping quotes. */
function cleanAnswer(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(user|seeker)\s*:\s*/i, '')
    .replace(/^"(.*)"$/, '$1')
    .trim();
}

function describeLeak(leak: TitleLeak | undefined): string | undefined {
  if (!leak) return undefined;
  return leak.kind === 'title'
    ? `it names the movie ("${leak.match}")`
    : `it uses "${leak.match}", a word of the movie's title`;
}
