import type { ScoreConfig } from '../config/augment.js';
import { CrsaugError } from '../util/errors.js';
import type { ScoreRecord } from './artifacts.js';

/** Valid and invalid answers of a stage (pairs with a record; the last record of a pair counts). */
export interface AnswerCounts {
  valid: number;
  invalid: number;
}

/** "18 valid, 2 invalid (90.0 % valid)": how every stage prints its answers. */
export function formatAnswerCounts({ valid, invalid }: AnswerCounts): string {
  const total = valid + invalid;
  const share = total === 0 ? '' : ` (${((100 * valid) / total).toFixed(1)} % valid)`;
  return `${valid} valid, ${invalid} invalid${share}`;
}

/** Whether enough answers are in to judge them and too few of them are valid. */
export function belowValidFloor(counts: AnswerCounts, config: ScoreConfig): boolean {
  const total = counts.valid + counts.invalid;
  return total > 0 && total >= config.validShareAfter && counts.valid / total < config.minValidShare;
}

/**
 * The judge's answers are mostly unusable: the stage stops rather than pass on (and pay for) answers nobody
 * can use. The records stay in the scores file, so the pairs can be re-asked once the cause is fixed.
 */
export class TooManyInvalidAnswersError extends CrsaugError {
  constructor(
    readonly counts: AnswerCounts,
    config: ScoreConfig,
    scoresFile: string,
    example?: Pick<ScoreRecord, 'error' | 'raw'>,
  ) {
    const shown =
      example?.raw === undefined ? '' : `; last invalid answer: ${JSON.stringify(example.raw.slice(0, 200))}`;
    const why = example?.error ? ` (${example.error})` : '';
    super(
      `the judge's answers are mostly invalid: ${formatAnswerCounts(counts)}, below augment.score.minValidShare ${(100 * config.minValidShare).toFixed(0)} %${shown}${why}`,
      {
        hint: `the answers are kept in ${scoresFile}. Check the model and the answer format (augment.score.responseFormat "json" for a model that answers JSON, augment.score.mode, maxTokens), then re-ask them with \`crsaug augment score --retry-invalid\`; augment.score.minValidShare 0 accepts them as they are`,
      },
    );
    this.name = 'TooManyInvalidAnswersError';
  }
}
