import { z } from 'zod';
import type { Catalog, RecContext } from '../data/types.js';
import { InputError } from '../util/errors.js';
import { readJsonl, writeJsonl } from '../util/jsonl.js';

/**
 * Predictions files: one JSON object per line, `{"dialog_id", "turn_id", "items": [item names, best first]}`,
 * joined to the split's contexts by (dialog_id, turn_id). Extra fields are ignored.
 */
export const PredictionLineSchema = z.object({
  dialog_id: z.union([z.string(), z.number()]),
  turn_id: z.number().int().nonnegative(),
  items: z.array(z.string()),
});
export type PredictionLine = z.output<typeof PredictionLineSchema>;

/** What joining a predictions file to a split found; nothing here is fatal. */
export interface PredictionsReport {
  file: string;
  /** Non-blank lines read. */
  lines: number;
  /** Contexts of the split that had a line. */
  matchedContexts: number;
  /** Contexts of the split without a line: they are evaluated with an empty list (all their pairs miss). */
  missingContexts: number;
  /** Lines whose (dialog_id, turn_id) is not a context of the split (ignored). */
  unmatchedLines: number;
  /** Item names (occurrences) that are not recommendable items of the catalog (dropped from the list). */
  unknownItemNames: number;
  /** Later repeats of a name already in the same list (dropped, the first occurrence keeps its rank). */
  repeatedItemNames: number;
  /** A few examples of each problem, for the message the user reads. */
  examples: { missingContexts: string[]; unmatchedLines: number[]; unknownItemNames: string[] };
}

export interface LoadedPredictions {
  /** One list of item indices per context (best first), empty for missing contexts. */
  rankings: Int32Array[];
  report: PredictionsReport;
}

const MAX_EXAMPLES = 5;

/** The join key of a context or a predictions line. */
export function contextKey(dialogId: string | number, turnId: number): string {
  return `${dialogId}#${turnId}`;
}

/**
 * Reads a predictions file for `contexts`. Names are mapped to item indices; unknown or non-item names and
 * repeats are dropped and counted, so the list keeps the order of the recognised items. Two lines for the same
 * context are an error (naming file, line and field).
 */
export async function readPredictions(
  file: string,
  contexts: readonly RecContext[],
  catalog: Pick<Catalog, 'entityIds' | 'itemOfEntity'>,
): Promise<LoadedPredictions> {
  const contextIndex = new Map(contexts.map((c, i) => [contextKey(c.dialogId, c.turnId), i]));
  const rankings: (Int32Array | undefined)[] = new Array(contexts.length);
  const lineOfContext = new Map<number, number>();
  const report: PredictionsReport = {
    file,
    lines: 0,
    matchedContexts: 0,
    missingContexts: 0,
    unmatchedLines: 0,
    unknownItemNames: 0,
    repeatedItemNames: 0,
    examples: { missingContexts: [], unmatchedLines: [], unknownItemNames: [] },
  };
  for await (const { line, value } of readJsonl(file, PredictionLineSchema, 'write predictions first')) {
    report.lines++;
    const index = contextIndex.get(contextKey(value.dialog_id, value.turn_id));
    if (index === undefined) {
      report.unmatchedLines++;
      addExample(report.examples.unmatchedLines, line);
      continue;
    }
    const earlier = lineOfContext.get(index);
    if (earlier !== undefined) {
      throw new InputError(
        { file, line, field: 'turn_id' },
        `second prediction for dialog_id ${value.dialog_id} turn_id ${value.turn_id} (first on line ${earlier})`,
      );
    }
    lineOfContext.set(index, line);
    rankings[index] = namesToItems(value.items, catalog, report);
    report.matchedContexts++;
  }
  if (report.matchedContexts === 0) throw noMatchError(report, contexts);
  const filled = Array.from(rankings, (ranking, i) => {
    if (ranking) return ranking;
    report.missingContexts++;
    addExample(report.examples.missingContexts, contextKey(contexts[i]!.dialogId, contexts[i]!.turnId));
    return new Int32Array(0);
  });
  return { rankings: filled, report };
}

/**
 * Nothing to evaluate: all-zero metrics would look like a result. An empty file, or the lines of another
 * split (their keys are not this split's contexts), is what this usually is.
 */
function noMatchError(report: PredictionsReport, contexts: readonly RecContext[]): InputError {
  const example = contexts[0]
    ? ` (e.g. dialog_id ${contexts[0].dialogId} turn_id ${contexts[0].turnId})`
    : '';
  return report.lines === 0
    ? new InputError({ file: report.file }, 'holds no predictions (no non-blank line)', {
        hint: 'write one line per context: {"dialog_id", "turn_id", "items": [item names, best first]}',
      })
    : new InputError(
        { file: report.file },
        `none of its ${report.lines} lines matches one of the ${contexts.length} contexts evaluated${example}`,
        {
          hint: `predictions of another split? evaluate them with --split (lines ${report.examples.unmatchedLines.join(', ')} name contexts this split does not have)`,
        },
      );
}

function namesToItems(
  names: readonly string[],
  catalog: Pick<Catalog, 'entityIds' | 'itemOfEntity'>,
  report: PredictionsReport,
): Int32Array {
  const seen = new Set<number>();
  const items: number[] = [];
  for (const name of names) {
    const entity = catalog.entityIds.get(name);
    const item = entity === undefined ? -1 : catalog.itemOfEntity[entity]!;
    if (item < 0) {
      report.unknownItemNames++;
      addExample(report.examples.unknownItemNames, name);
    } else if (seen.has(item)) {
      report.repeatedItemNames++;
    } else {
      seen.add(item);
      items.push(item);
    }
  }
  return Int32Array.from(items);
}

function addExample<T>(list: T[], example: T): void {
  if (list.length < MAX_EXAMPLES && !list.includes(example)) list.push(example);
}

/**
 * The predictions file of one run among `runs`: the file itself for a single run, else one file per seed
 * (`p.jsonl` → `p.seed-42.jsonl`), which `crsaug eval --predictions` / `--compare` take as one side.
 */
export function predictionsFileOf(file: string, seed: number, runs: number): string {
  if (runs <= 1) return file;
  const dot = file.lastIndexOf('.');
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return dot > slash + 1 ? `${file.slice(0, dot)}.seed-${seed}${file.slice(dot)}` : `${file}.seed-${seed}`;
}

/** Writes ranked lists in the predictions format (item names, best first), one line per context. */
export async function writePredictions(
  file: string,
  contexts: readonly RecContext[],
  rankings: readonly Int32Array[],
  catalog: Pick<Catalog, 'entityNames' | 'itemEntity'>,
): Promise<void> {
  await writeJsonl(
    file,
    contexts.map((context, i) => ({
      dialog_id: context.dialogId,
      turn_id: context.turnId,
      items: Array.from(rankings[i]!, (item) => catalog.entityNames[catalog.itemEntity[item]!]!),
    })),
  );
}

/** One line describing a predictions join, for stderr. */
export function describePredictionsReport(report: PredictionsReport): string {
  const parts = [`${report.file}: ${report.lines} lines, ${report.matchedContexts} contexts matched`];
  if (report.missingContexts) {
    parts.push(
      `${report.missingContexts} contexts without a line (evaluated as empty lists, e.g. ${report.examples.missingContexts.join(', ')})`,
    );
  }
  if (report.unmatchedLines) {
    parts.push(
      `${report.unmatchedLines} lines match no context (ignored, e.g. lines ${report.examples.unmatchedLines.join(', ')})`,
    );
  }
  if (report.unknownItemNames) {
    parts.push(
      `${report.unknownItemNames} names are not catalog items (dropped, e.g. ${report.examples.unknownItemNames.map((n) => JSON.stringify(n)).join(', ')})`,
    );
  }
  if (report.repeatedItemNames)
    parts.push(`${report.repeatedItemNames} repeated names (later copies dropped)`);
  return parts.join('; ');
}
