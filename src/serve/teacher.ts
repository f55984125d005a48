import { join } from 'node:path';
import { pairKey, readScores } from '../augment/artifacts.js';
import { scorePairs } from '../augment/score.js';
import { ScoreRequests } from '../augment/score-request.js';
import { cacheDirOf } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import type { Dataset, RecContext } from '../data/types.js';
import { createChatModel, type ProvidedModel, selectChatProvider } from '../providers/factory.js';
import type { ChatModel } from '../providers/types.js';
import { hashValue } from '../util/hash.js';

export interface TeacherScore {
  score: number | null;
  reason: string | null;
}

/**
 * The configured chat model judging (context, item) pairs on request, through the same scoring code and
 * provider layer as `crsaug augment score` (cache, retries, limits). A typed context has no dataset id, so
 * it is keyed by a hash of its utterances; every judgment is appended to a scores file in the cache folder
 * and a pair judged before is read back rather than asked again.
 */
export class OnlineTeacher {
  /** Scoring appends to one file; one call at a time keeps its lines whole. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly chat: ProvidedModel<ChatModel>,
    private readonly config: Config,
    private readonly dir: string,
  ) {}

  /** The teacher the config names, or undefined when no chat model is configured. */
  static async open(config: Config): Promise<OnlineTeacher | undefined> {
    if (selectChatProvider(config.providers.chat) === undefined) return undefined;
    const cacheDir = cacheDirOf(config);
    const chat = await createChatModel(config.providers, { cacheDir, stage: 'serve' });
    return new OnlineTeacher(chat, config, join(cacheDir, 'serve'));
  }

  describe(): string {
    return this.chat.model.describe();
  }

  judge(dataset: Dataset, context: RecContext, items: readonly string[]): Promise<TeacherScore[]> {
    const run = this.queue.then(() => this.judgeNow(dataset, context, items));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.chat.close();
  }

  private async judgeNow(
    dataset: Dataset,
    context: RecContext,
    items: readonly string[],
  ): Promise<TeacherScore[]> {
    const dialogId = `serve-${hashValue(context.utterances).slice(0, 16)}`;
    const keyed: RecContext = { ...context, dialogId, turnId: 0 };
    const alone: Dataset = {
      ...dataset,
      splits: {
        train: {
          name: 'train',
          contexts: [keyed],
          dialogues: 1,
          files: [],
          unknownRecNames: 0,
          unknownEntityNames: 0,
        },
      },
    };
    const config = this.config.augment.score;
    const file = join(this.dir, `teacher-${dataset.name.replace(/[^\w.-]+/g, '_')}.scores.jsonl`);
    await scorePairs({
      model: this.chat.model,
      requests: new ScoreRequests(alone, config),
      pairs: items.map((item) => ({ dialogId, turnId: 0, item })),
      config,
      scoresFile: file,
      usage: this.chat.usage,
      silent: true,
    });
    const scores = await readScores(file);
    return items.map((item) => {
      const s = scores.get(pairKey(dialogId, 0, item));
      if (!s?.valid) return { score: null, reason: null };
      return { score: s.expected ?? s.score, reason: config.mode === 'reason' ? (s.raw ?? null) : null };
    });
  }
}
