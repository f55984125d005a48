import { existsSync } from 'node:fs';
import { z } from 'zod';
import { prepareAppend } from '../../augment/artifacts.js';
import { contextKey } from '../../augment/context-text.js';
import { readJsonl } from '../../util/jsonl.js';

/**
 * One line of a simulation's transcripts file: a finished dialogue. The file is appended to as dialogues
 * finish, so a killed run resumes with the unfinished ones (their LLM calls then come from the cache).
 */
export const TranscriptTurnSchema = z.object({
  turn: z.number().int().positive(),
  /** 0-based rank of the best-placed target in the filtered list, -1 when none is in it. */
  target_rank: z.number().int(),
  /** The item the recommender named (its top 1), absent on an accepted or last turn. */
  named: z.string().optional(),
  recommender: z.string().optional(),
  user: z.string().optional(),
  /** Entity names linked in the user's utterance. */
  entities: z.array(z.string()).optional(),
  rejected: z.number().int().nonnegative().optional(),
  fallback: z.boolean().optional(),
});
export type TranscriptTurn = z.output<typeof TranscriptTurnSchema>;

export const TranscriptSchema = z.object({
  /** Hash of the settings that decide the dialogue (simulator, recommender, turns, topK). */
  run: z.string(),
  dialog_id: z.string(),
  turn_id: z.number().int(),
  /** Catalog names of the targets (the context's gold). */
  targets: z.array(z.string()),
  turns: z.array(TranscriptTurnSchema),
});
export type Transcript = z.output<typeof TranscriptSchema>;

/**
 * The finished dialogues of run `run` in a transcripts file, by context key; lines of other runs are ignored.
 * A half-written last line (a killed writer) is cut first, so appending can go on.
 */
export async function readTranscripts(file: string, run: string): Promise<Map<string, Transcript>> {
  const done = new Map<string, Transcript>();
  if (!existsSync(file)) return done;
  await prepareAppend(file);
  for await (const { value } of readJsonl(file, TranscriptSchema)) {
    if (value.run === run) done.set(contextKey(value.dialog_id, value.turn_id), value);
  }
  return done;
}
