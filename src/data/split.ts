import { loadJsonl } from '../util/jsonl.js';
import {
  type ProcessedSample,
  ProcessedSampleSchema,
  toRecContext,
  type UnknownNameCounts,
} from './samples.js';
import type { Catalog, Split, SplitName } from './types.js';

export interface SplitOptions {
  removeRepeated: boolean;
  /** Keeps only some dialogues (domain subsets). */
  keepDialog?: (dialogId: string) => boolean;
}

/** Builds a Split from processed samples already in memory (e.g. a freshly converted train split). */
export function splitFromSamples(
  name: SplitName,
  samples: readonly ProcessedSample[],
  catalog: Catalog,
  files: string[],
  options: SplitOptions,
): Split {
  const unknown: UnknownNameCounts = { recNames: 0, entityNames: 0 };
  const contexts = samples
    .filter((s) => !options.keepDialog || options.keepDialog(String(s.dialog_id)))
    .map((s) => toRecContext(s, catalog, options.removeRepeated, unknown));
  return {
    name,
    contexts,
    dialogues: new Set(contexts.map((c) => c.dialogId)).size,
    files,
    unknownRecNames: unknown.recNames,
    unknownEntityNames: unknown.entityNames,
  };
}

/** Reads a processed-format JSONL file (validated line by line) into a Split. */
export async function readProcessedSplit(
  name: SplitName,
  file: string,
  catalog: Catalog,
  options: SplitOptions & { missingHint?: string },
): Promise<Split> {
  const records = await loadJsonl(file, ProcessedSampleSchema, options.missingHint);
  return splitFromSamples(
    name,
    records.map((r) => r.value),
    catalog,
    [file],
    options,
  );
}
