import type { SyntheticSummary } from './synthetic-folder.js';

/** The Hugging Face size category of a row count (the `size_categories` tag). */
function sizeCategory(rows: number): string {
  const bounds: [number, string][] = [
    [1_000, 'n<1K'],
    [10_000, '1K<n<10K'],
    [100_000, '10K<n<100K'],
    [1_000_000, '100K<n<1M'],
  ];
  return bounds.find(([limit]) => rows < limit)?.[1] ?? 'n>1M';
}

/** A YAML scalar: JSON strings are valid YAML and need no further escaping. */
const yaml = (value: string) => JSON.stringify(value);

/**
 * README.md of a Hugging Face dataset folder: the YAML header the Hub reads (licence, tags, the data file of
 * the train split) and the provenance a user of the labels needs: the source dialogues and their licence, the
 * retriever, the teacher and the scorer, the threshold, and the counts.
 */
export function datasetCard(
  s: SyntheticSummary,
  producer: { version: string; command: string },
  rows: number,
): string {
  const provider = (role: string) => s.providers.find((p) => p.role === role);
  const describe = (role: string) => {
    const p = provider(role);
    return p ? `\`${p.id}\`: ${p.description}` : 'not recorded';
  };
  const header = [
    '---',
    `pretty_name: ${yaml(`crsaug synthetic labels for ${s.dataset} (${s.split})`)}`,
    // The labels inherit the terms of the source dialogues, which no SPDX id names: see the card.
    'license: other',
    `license_name: ${yaml(`${s.dataset}-source-terms`)}`,
    'language:',
    '- en',
    'tags:',
    '- conversational-recommendation',
    '- synthetic-labels',
    '- crsaug',
    'size_categories:',
    `- ${sizeCategory(rows)}`,
    'source_datasets:',
    `- ${yaml(s.dataset)}`,
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    '    path: data/train.jsonl',
    '---',
  ];
  const body = [
    `# crsaug synthetic labels: ${s.dataset} ${s.split}`,
    '',
    `Extra positive items for the recommendation turns of ${s.dataset}'s ${s.split} split, made by crsaug`,
    '(Xu et al., ACL 2025, "Beyond Single Labels"): a retriever proposed candidates, a scorer distilled from an',
    `LLM teacher scored them on the 0-4 relevance rubric, and candidates scoring at least ${s.threshold} were kept.`,
    '',
    '## Provenance',
    '',
    '| | |',
    '|---|---|',
    `| source dialogues | ${s.dataset} (${s.split} split) |`,
    `| licence of the source data | ${s.source} |`,
    `| retriever (top ${s.topK} candidates per context) | ${describe('embedder')} |`,
    `| teacher | ${describe('teacher')} |`,
    `| scorer | ${s.scorer} |`,
    `| threshold | score ≥ ${s.threshold} |`,
    `| contexts | ${s.contexts} (${s.contextsWithLabels} with at least one label) |`,
    `| synthetic labels | ${s.labels} |`,
    `| made by | crsaug ${producer.version}, \`${producer.command}\`, ${s.createdAt} |`,
    '',
    '## Fields',
    '',
    'One JSON object per recommendation turn, in the CFCRS processed format: `dialog_id`, `turn_id`, `context`',
    '(the utterances before the turn; even positions are the seeker, a leading empty string keeps that parity),',
    '`entity` (entity names mentioned so far), `rec` (the synthetic labels, best first) and `scores` (the',
    'scorer’s score of each, aligned with `rec`). Labels are not human judgments: they measure what the scorer',
    'above believes, and inherit its errors.',
    '',
    '## Licence',
    '',
    `These labels are derived from ${s.dataset}; use them under the source's terms (${s.source}).`,
  ];
  return `${[...header, ...body].join('\n')}\n`;
}
