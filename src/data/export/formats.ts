import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonFile } from '../../util/json.js';
import { loadJsonl, writeJsonl } from '../../util/jsonl.js';
import { type ProcessedSample, ProcessedSampleSchema } from '../samples.js';
import type { Dataset, RecContext } from '../types.js';
import { crslabConversations, crslabVocabulary } from './crslab.js';
import { datasetCard } from './dataset-card.js';
import type { SyntheticFolder } from './synthetic-folder.js';

/**
 * Where a run's synthetic labels go: the processed JSONL the reference PyTorch code (CFCRS, UniCRS, FNSCRS)
 * reads, a Hugging Face dataset folder, or CRSLab's dataset folder.
 */
export const EXPORT_FORMATS = ['cfcrs', 'hf', 'crslab'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportInput {
  synthetic: SyntheticFolder;
  /** The run's dataset (every split for crslab, which also writes valid and test). */
  dataset: Dataset;
  /** Who wrote it, for the dataset card. */
  producer: { version: string; command: string };
}

export interface ExportResult {
  format: ExportFormat;
  dir: string;
  files: string[];
  /** Lines (contexts) of the synthetic labels written. */
  contexts: number;
}

export async function exportSynthetic(
  format: ExportFormat,
  input: ExportInput,
  outDir: string,
): Promise<ExportResult> {
  await mkdir(outDir, { recursive: true });
  const lines = (await loadJsonl(input.synthetic.file, ProcessedSampleSchema)).map((r) => r.value);
  const files = await WRITERS[format](lines, input, outDir);
  return { format, dir: outDir, files, contexts: lines.length };
}

type Writer = (lines: ProcessedSample[], input: ExportInput, outDir: string) => Promise<string[]>;

const WRITERS: Record<ExportFormat, Writer> = {
  /**
   * CFCRS/UniCRS processed format: the fields of `train_data_processed.jsonl` (context, entity, rec, resp),
   * `rec` = the synthetic item names best first, which is what FNSCRS's augmented train file holds (the
   * readers expand `rec` into one sample per item, and UniCRS's --max_rec keeps its head).
   */
  cfcrs: async (lines, { dataset }, outDir) => {
    const responses = responsesOf(dataset);
    const file = join(outDir, 'train_data_aug.jsonl');
    await writeJsonl(
      file,
      lines.map((l) => {
        const resp = l.resp ?? responses.get(keyOf(l.dialog_id, l.turn_id));
        return { ...l, ...(resp === undefined ? {} : { resp }) };
      }),
    );
    return [file];
  },
  /** A Hugging Face dataset folder: data/train.jsonl and the dataset card (README.md with its YAML header). */
  hf: async (lines, input, outDir) => {
    const data = join(outDir, 'data', 'train.jsonl');
    await writeJsonl(data, lines);
    const card = join(outDir, 'README.md');
    await writeFile(card, datasetCard(input.synthetic.summary, input.producer, lines.length));
    return [data, card];
  },
  /**
   * CRSLab's dataset folder (the `nltk` tokenization's file names): train with the synthetic labels, valid
   * and test with the real ones, the entity vocabulary, item ids and KG of the CFCRS catalog.
   */
  crslab: async (lines, { dataset }, outDir) => {
    const splits = {
      train: lines.map((l) => ({ sample: l, labels: l.rec })),
      valid: realLabels(dataset, 'valid'),
      test: realLabels(dataset, 'test'),
    };
    const files: string[] = [];
    const conversations: Record<string, ReturnType<typeof crslabConversations>> = {};
    for (const [split, samples] of Object.entries(splits)) {
      conversations[split] = crslabConversations(samples);
      const file = join(outDir, `${split}_data.json`);
      await writeJsonFile(file, conversations[split]);
      files.push(file);
    }
    const vocabulary = crslabVocabulary(dataset, Object.values(conversations).flat());
    for (const [name, content] of Object.entries(vocabulary)) {
      const file = join(outDir, name);
      if (typeof content === 'string') await writeFile(file, content);
      else await writeJsonFile(file, content);
      files.push(file);
    }
    return files;
  },
};

function keyOf(dialogId: string | number, turnId: number): string {
  return `${dialogId}#${turnId}`;
}

function responsesOf(dataset: Dataset): Map<string, string> {
  const responses = new Map<string, string>();
  for (const c of dataset.splits.train?.contexts ?? [])
    if (c.response !== undefined) responses.set(keyOf(c.dialogId, c.turnId), c.response);
  return responses;
}

/** A split's contexts with their gold items (after repeated-item removal) as processed samples. */
function realLabels(
  dataset: Dataset,
  split: 'valid' | 'test',
): { sample: ProcessedSample; labels: string[] }[] {
  const { catalog } = dataset;
  return (dataset.splits[split]?.contexts ?? [])
    .filter((c: RecContext) => c.gold.length > 0)
    .map((c) => ({
      sample: {
        dialog_id: c.dialogId,
        turn_id: c.turnId,
        context: c.utterances,
        entity: c.entities.map((e) => catalog.entityNames[e]!),
        rec: c.recNames,
        ...(c.response === undefined ? {} : { resp: c.response }),
      },
      labels: c.gold.map((item) => catalog.items[item]!.name),
    }));
}
