/** User-simulator evaluation: the interactive protocol, the attribute and LLM simulators, transcripts. */
export { AttributeSimulator, type AttributeSimulatorOptions } from './attribute-simulator.js';
export { dialogueRng, recommenderUtterance, withRecommenderTurn, withUserTurn } from './dialogue.js';
export { CatalogLinker } from './entity-links.js';
export { SimulatorKnowledge } from './knowledge.js';
export { buildPersona, buildRetryMessages, buildUserMessages, type Persona } from './llm-prompt.js';
export { DEFAULT_LLM_SIMULATOR, LlmSimulator, type LlmSimulatorOptions } from './llm-simulator.js';
export {
  DEFAULT_SIMULATION_OPTIONS,
  firstSuccessTurn,
  SIMULATED_PREFIX,
  type SimulationOptions,
  type SimulationResult,
  simulateDialogues,
  simulationMetrics,
  summarizeTranscripts,
} from './run.js';
export {
  ATTRIBUTE_SLOTS,
  type AttributeSlot,
  type TargetAttribute,
  TargetAttributes,
} from './target-attributes.js';
export { TitleGuard, type TitleLeak, textWords, titleOf } from './title-guard.js';
export { readTranscripts, type Transcript, TranscriptSchema, type TranscriptTurn } from './transcripts.js';
export type { Feedback, SimulatedUser, SimulatorTurn, UserSimulator } from './types.js';
