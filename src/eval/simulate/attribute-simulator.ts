import type { Dataset, RecContext } from '../../data/types.js';
import type { Rng } from '../../util/rng.js';
import type { CatalogLinker } from './entity-links.js';
import { SimulatorKnowledge } from './knowledge.js';
import { ATTRIBUTE_SLOTS, type AttributeSlot, type TargetAttribute } from './target-attributes.js';
import { TitleGuard } from './title-guard.js';
import type { Feedback, SimulatedUser, SimulatorTurn, UserSimulator } from './types.js';

/**
 * The attribute simulator, no LLM (an agenda in the spirit of UserSimCRS): the user turns down the named item
 * and reveals one more attribute of its target per turn, taking the slots in turn (a genre, a star, the
 * director, a writer, the decade, then the next genre, …) and skipping values the dialogue already holds as
 * entities. Each reveal is a templated sentence; its entities are linked like any dataset turn. With several
 * gold items the user describes one of them (chosen by the seed), and is satisfied by any.
 * Deterministic for a seed: the target choice and the wording come from a per-dialogue seeded stream.
 * A sentence that would contain a target's title (the person "Amy Winehouse" for the film "Amy") is never
 * said: the next wording or value is taken instead.
 */
export interface AttributeSimulatorOptions {
  seed: number;
}

const REJECTIONS = ["No, that's not it.", "Hmm, I don't think so.", 'Not really what I want.'];

const TEMPLATES: Record<AttributeSlot, readonly string[]> = {
  genre: [
    "I'd prefer a {value} movie.",
    "I'm in the mood for {value}.",
    'Something in the {value} genre would be great.',
  ],
  star: [
    "I'd love something with {value} in it.",
    'Do you have anything starring {value}?',
    "I'm a big fan of {value}.",
  ],
  director: ['I like movies directed by {value}.', 'Something directed by {value} would be nice.'],
  writer: ['I like stories written by {value}.', 'Maybe something written by {value}?'],
  decade: ['Something from the {value} would be nice.', "I'm thinking of a movie from the {value}."],
};

const NOTHING_LEFT = ['Do you have anything else?', 'Could you suggest something else?'];

export class AttributeSimulator implements UserSimulator {
  readonly name = 'attribute';
  private readonly knowledge: SimulatorKnowledge;

  constructor(
    dataset: Pick<Dataset, 'catalog' | 'kg'>,
    private readonly options: AttributeSimulatorOptions,
  ) {
    this.knowledge = new SimulatorKnowledge(dataset);
  }

  get identity(): string {
    return `attribute/1 seed=${this.options.seed}`;
  }

  describe(): string {
    return `attribute simulator (no LLM): reveals one catalog/KG attribute of a target per turn (${ATTRIBUTE_SLOTS.join(' → ')}), templated, seed ${this.options.seed}`;
  }

  start(context: RecContext, targets: readonly number[]): SimulatedUser {
    const { catalog } = this.knowledge.dataset;
    const described = this.knowledge.describedTarget(this.options.seed, context, targets);
    return new AttributeUser(
      this.knowledge.attributes.of(described.item),
      new TitleGuard(
        targets.map((t) => catalog.items[t]!),
        { words: false },
      ),
      this.knowledge.linker,
      described.rng,
    );
  }
}

class AttributeUser implements SimulatedUser {
  private readonly revealed = new Set<TargetAttribute>();
  private nextSlot = 0;

  constructor(
    private readonly attributes: Record<AttributeSlot, TargetAttribute[]>,
    private readonly guard: TitleGuard,
    private readonly linker: CatalogLinker,
    private readonly rng: Rng,
  ) {}

  async respond(turn: SimulatorTurn): Promise<Feedback> {
    const rejection = this.say(REJECTIONS) ?? '';
    const reveal = this.reveal(new Set(turn.context.entities)) ?? this.say(NOTHING_LEFT) ?? '';
    const joined = [rejection, reveal].filter(Boolean).join(' ');
    // Two safe sentences can still spell a title across their boundary; the reveal alone is safe.
    const text = this.guard.check(joined) ? reveal : joined;
    return { text, entities: this.linker.link(text) };
  }

  /** The sentence revealing the next attribute in slot order, or undefined when none is left. */
  private reveal(known: ReadonlySet<number>): string | undefined {
    for (let tried = 0; tried < ATTRIBUTE_SLOTS.length; tried++) {
      const slot = ATTRIBUTE_SLOTS[(this.nextSlot + tried) % ATTRIBUTE_SLOTS.length]!;
      for (const attribute of this.attributes[slot]) {
        if (this.revealed.has(attribute) || known.has(attribute.entity)) continue;
        this.revealed.add(attribute);
        const sentence = this.say(TEMPLATES[slot].map((t) => t.replace('{value}', attribute.value)));
        if (sentence === undefined) continue;
        this.nextSlot = (this.nextSlot + tried + 1) % ATTRIBUTE_SLOTS.length;
        return sentence;
      }
    }
    return undefined;
  }

  /** A seeded choice among the wordings that give no target away (the others in order when it leaks). */
  private say(wordings: readonly string[]): string | undefined {
    const first = this.rng.int(wordings.length);
    for (let i = 0; i < wordings.length; i++) {
      const wording = wordings[(first + i) % wordings.length]!;
      if (!this.guard.check(wording)) return wording;
    }
    return undefined;
  }
}
