import type { ProcessedSample } from '../samples.js';
import type { Dataset } from '../types.js';

/**
 * CRSLab's conversation format (crslab/data/dataset/inspired: `{conv_id, dialog: [{utt_id, role, text,
 * movies, entity, word}]}`, `text` tokenized). Each labelled context becomes its own conversation that ends
 * with the recommendation turn, whose `movies` are the labels: CRSLab adds a turn's movies to the context of
 * the turns after it, so synthetic labels inside a whole dialogue would read as mentions later on. The
 * context's entities are listed on its last utterance (CRSLab gathers them before the turn it predicts).
 */
export interface CrslabUtterance {
  utt_id: number;
  role: 'Seeker' | 'Recommender';
  text: string[];
  movies: string[];
  entity: string[];
  word: string[];
}

export interface CrslabConversation {
  conv_id: string;
  dialog: CrslabUtterance[];
}

/** Lower-cased words and punctuation marks: close to nltk's word_tokenize for these dialogues, not equal. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu) ?? [];
}

export function crslabConversations(
  samples: readonly { sample: ProcessedSample; labels: readonly string[] }[],
): CrslabConversation[] {
  return samples.map(({ sample, labels }) => {
    const dialog: CrslabUtterance[] = [];
    sample.context.forEach((text, i) => {
      // even positions are the seeker's; a leading '' only keeps that parity when the system spoke first
      if (text === '') return;
      dialog.push({
        utt_id: dialog.length,
        role: i % 2 === 0 ? 'Seeker' : 'Recommender',
        text: tokenize(text),
        movies: [],
        entity: [],
        word: [],
      });
    });
    if (dialog.length > 0) dialog[dialog.length - 1]!.entity = [...sample.entity];
    dialog.push({
      utt_id: dialog.length,
      role: 'Recommender',
      text: tokenize(sample.resp ?? ''),
      movies: [...labels],
      entity: [],
      word: [],
    });
    return { conv_id: `${sample.dialog_id}#${sample.turn_id}`, dialog };
  });
}

/** CRSLab's special token ids of its nltk folders (resources.py): pad 0, start 1, end 2, unk 3. */
const SPECIAL_TOKENS = ['__pad__', '__start__', '__end__', '__unk__'];

/**
 * The side files a CRSLab dataset folder holds: token and entity vocabularies, the item entity ids, the entity
 * KG (`head\trelation\ttail` by name) and an empty word (ConceptNet) KG, which these datasets do not have.
 */
export function crslabVocabulary(
  dataset: Dataset,
  conversations: readonly CrslabConversation[],
): Record<string, unknown> {
  const tokens = new Map<string, number>(SPECIAL_TOKENS.map((t, i) => [t, i]));
  for (const conversation of conversations)
    for (const utterance of conversation.dialog)
      for (const token of utterance.text) if (!tokens.has(token)) tokens.set(token, tokens.size);
  const { catalog, kg } = dataset;
  const triples = Array.from(
    kg.heads,
    (head, i) =>
      `${catalog.entityNames[head]}\t${kg.relations[kg.relationIds[i]!]}\t${catalog.entityNames[kg.tails[i]!]}`,
  );
  return {
    'token2id.json': Object.fromEntries(tokens),
    'entity2id.json': Object.fromEntries(catalog.entityIds),
    'movie_ids.json': [...catalog.itemEntity],
    'dbpedia_subkg.txt': triples.length > 0 ? `${triples.join('\n')}\n` : '',
    'word2id.json': { __pad__: 0 },
    'concept_subkg.txt': '',
  };
}
