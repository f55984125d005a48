import type { RecContext } from '../../data/types.js';

/**
 * A simulated user of the interactive protocol (iEvaLM-style): it knows its target items (the context's gold)
 * and answers each recommendation that missed with feedback, never naming a target.
 */
export interface UserSimulator {
  /** Short name for results ('attribute', 'llm'). */
  readonly name: string;
  /** One line saying what the simulator is and how it is configured. */
  describe(): string;
  /** Everything that decides its answers (no URLs or keys): transcripts of another identity are not reused. */
  readonly identity: string;
  /** A user for one dialogue who wants `targets` (item indices, the context's gold), all known up front. */
  start(context: RecContext, targets: readonly number[]): SimulatedUser;
}

export interface SimulatorTurn {
  /** 1-based turn whose recommendation the user answers. */
  turn: number;
  /** The dialogue so far, ending with the recommender's utterance that names `named`. */
  context: RecContext;
  /** Item index the recommender named (its top 1 after the protocol's filtering); never a target. */
  named: number;
}

export interface Feedback {
  /** The user's next utterance. */
  text: string;
  /** Entity ids linked in `text`, in text order (what the CRS gets besides the text). */
  entities: number[];
  /** Answers the guard rejected before this one (LLM simulator). */
  rejected?: number;
  /** Every answer was rejected: `text` is what was left after removing leaking sentences, or a fallback. */
  fallback?: boolean;
}

export interface SimulatedUser {
  respond(turn: SimulatorTurn): Promise<Feedback>;
}
