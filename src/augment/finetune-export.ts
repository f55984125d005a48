import type { ScoreConfig } from '../config/augment.js';
import type { ChatMessage } from '../providers/types.js';
import { writeJsonl } from '../util/jsonl.js';
import { ScoreRequests } from './score-request.js';
import type { TeacherPair, TeacherSet } from './teacher-set.js';

/** One chat fine-tuning example in the OpenAI format. */
export interface FinetuneExample {
  messages: ChatMessage[];
}

export interface FinetuneExportSummary {
  file: string;
  examples: number;
  /** Examples per answered score 0..4. */
  byScore: number[];
  /** Pairs whose fractional score was rounded to the digit the answer must hold. */
  rounded: number;
  mode: ScoreConfig['mode'];
}

/**
 * The answer the scorer's parser reads: "Score: N", after the teacher's reason in 'reason' mode.
 * A fractional teacher score (an expected value) is rounded, because the answer format takes one digit.
 */
export function teacherAnswer(pair: TeacherPair, mode: ScoreConfig['mode']): string {
  const digit = Math.round(pair.score);
  const reason = pair.reason?.replace(/\s+/g, ' ').trim();
  return mode === 'reason' && reason ? `${reason}\nScore: ${digit}` : `Score: ${digit}`;
}

/**
 * Writes the teacher judgments as chat fine-tuning data ({"messages": [system, user, assistant]}), built
 * with the same prompt as `augment score` (one pair per call), so a small LLM fine-tuned on it elsewhere
 * can be plugged back in as the scorer with the same score settings.
 */
export async function exportFinetuneSet(
  sets: readonly TeacherSet[],
  config: ScoreConfig,
  file: string,
): Promise<FinetuneExportSummary> {
  const examples: FinetuneExample[] = [];
  const byScore = [0, 0, 0, 0, 0];
  let rounded = 0;
  for (const set of sets) {
    const requests = new ScoreRequests(set.dataset, config);
    for (const pair of set.pairs) {
      const { messages } = requests.request([
        {
          dialogId: pair.context.dialogId,
          turnId: pair.context.turnId,
          item: set.dataset.catalog.items[pair.item]!.name,
        },
      ]);
      const answer = teacherAnswer(pair, config.mode);
      if (!Number.isInteger(pair.score)) rounded++;
      byScore[Math.round(pair.score)]!++;
      examples.push({ messages: [...messages, { role: 'assistant', content: answer }] });
    }
  }
  await writeJsonl(file, examples);
  return { file, examples: examples.length, byScore, rounded, mode: config.mode };
}
