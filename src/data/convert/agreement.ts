import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../../util/json.js';
import { loadJsonl } from '../../util/jsonl.js';
import { REDIAL_RAW_TRAIN_FILES } from '../redial-train.js';
import type { ProcessedSample } from '../samples.js';
import { inspiredRowsToLinked, readInspiredTsv } from './inspired-raw.js';
import { LinkedInspiredDialogSchema, LinkedRedialDialogSchema } from './linked.js';
import { RawRedialDialogSchema, RedialRawLinker } from './redial-raw.js';
import { inspiredToProcessed, redialToProcessed } from './to-processed.js';

/** How often a converted field equals the reference, out of how many compared. */
export interface FieldAgreement {
  equal: number;
  total: number;
}

/** Agreement of our raw → linked conversion with CFCRS's linked files, and of the samples built from each. */
export interface ConverterAgreement {
  comparison: string;
  dialogues: number;
  turns: Record<'text' | 'items' | 'entities' | 'template', FieldAgreement>;
  samples: {
    ours: number;
    reference: number;
    /** Samples present in both, by (dialog_id, turn_id). */
    sameKeys: number;
    fields: Record<'rec' | 'context' | 'entity', FieldAgreement>;
  };
}

interface TurnPair {
  ours: { text: string; items: string[]; entities: string[]; template: string };
  reference: { text: string; items: string[]; entities: string[]; template: string };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function agreementOf(
  comparison: string,
  dialogues: number,
  turns: TurnPair[],
  ours: ProcessedSample[],
  reference: ProcessedSample[],
): ConverterAgreement {
  const count = (equal: (p: TurnPair) => boolean): FieldAgreement => ({
    equal: turns.filter(equal).length,
    total: turns.length,
  });
  const key = (s: ProcessedSample) => `${s.dialog_id}\u0000${s.turn_id}`;
  const ourByKey = new Map(ours.map((s) => [key(s), s]));
  const matched = reference.flatMap((r) => {
    const o = ourByKey.get(key(r));
    return o ? [[o, r] as const] : [];
  });
  const sampleCount = (field: 'rec' | 'context' | 'entity'): FieldAgreement => ({
    equal: matched.filter(([o, r]) => sameList(o[field], r[field])).length,
    total: matched.length,
  });
  return {
    comparison,
    dialogues,
    turns: {
      text: count((p) => p.ours.text === p.reference.text),
      items: count((p) => sameList(p.ours.items, p.reference.items)),
      entities: count((p) => sameList(p.ours.entities, p.reference.entities)),
      template: count((p) => p.ours.template === p.reference.template),
    },
    samples: {
      ours: ours.length,
      reference: reference.length,
      sameKeys: matched.length,
      fields: { rec: sampleCount('rec'), context: sampleCount('context'), entity: sampleCount('entity') },
    },
  };
}

/**
 * ReDial: the raw official-train dialogues on this machine that are also in CFCRS `valid_data.jsonl`
 * (360), converted by RedialRawLinker and compared turn by turn, then as rec-task samples.
 */
export async function redialConverterAgreement(dir: string): Promise<ConverterAgreement> {
  const reference = new Map(
    (await loadJsonl(join(dir, 'valid_data.jsonl'), LinkedRedialDialogSchema)).map((r) => [
      String(r.value.conversationId),
      r.value,
    ]),
  );
  const linker = RedialRawLinker.fromDir(dir, 'needs the ReDial folder of the shared data');
  const turns: TurnPair[] = [];
  const ours: ProcessedSample[] = [];
  const refs: ProcessedSample[] = [];
  const seen = new Set<string>();
  for (const file of REDIAL_RAW_TRAIN_FILES) {
    for (const { value } of await loadJsonl(join(dir, file), RawRedialDialogSchema)) {
      const id = String(value.conversationId);
      const ref = reference.get(id);
      if (!ref || seen.has(id)) continue;
      seen.add(id);
      const linked = linker.link(value);
      ref.messages.forEach((r, i) => {
        const o = linked.messages[i] ?? { text: '', item: [], entity: [], masked_text: '' };
        turns.push({
          ours: { text: o.text, items: o.item, entities: o.entity, template: o.masked_text },
          reference: { text: r.text, items: r.item, entities: r.entity, template: r.masked_text },
        });
      });
      ours.push(...redialToProcessed(linked));
      refs.push(...redialToProcessed(ref));
    }
  }
  return agreementOf(
    'ReDial raw (train_subset_901/500, train_extra) vs CFCRS valid_data.jsonl',
    seen.size,
    turns,
    ours,
    refs,
  );
}

/** INSPIRED: official dev/test TSV converted by inspiredRowsToLinked vs CFCRS valid/test_data.jsonl. */
export async function inspiredConverterAgreement(
  dir: string,
  split: 'valid' | 'test',
): Promise<ConverterAgreement> {
  const tsv = split === 'valid' ? 'dev.tsv' : 'test.tsv';
  const entityIds = readJsonFile(join(dir, 'entity2id.json'), z.record(z.string(), z.number()));
  const linked = inspiredRowsToLinked(readInspiredTsv(join(dir, 'raw', tsv)), (n) =>
    Object.hasOwn(entityIds, n),
  );
  const reference = new Map(
    (await loadJsonl(join(dir, `${split}_data.jsonl`), LinkedInspiredDialogSchema)).map((r) => [
      r.value.dialog_id,
      r.value,
    ]),
  );
  const turns: TurnPair[] = [];
  const ours: ProcessedSample[] = [];
  const refs: ProcessedSample[] = [];
  let dialogues = 0;
  for (const dialog of linked) {
    const ref = reference.get(dialog.dialog_id);
    if (!ref) continue;
    dialogues++;
    ref.dialog.forEach((r, i) => {
      const o = dialog.dialog[i] ?? { text: '', movie: [], entity: [], text_template: '' };
      turns.push({
        ours: { text: o.text, items: o.movie, entities: o.entity, template: o.text_template },
        reference: { text: r.text, items: r.movie, entities: r.entity, template: r.text_template },
      });
    });
    ours.push(...inspiredToProcessed(dialog));
    refs.push(...inspiredToProcessed(ref));
  }
  return agreementOf(`INSPIRED raw/${tsv} vs CFCRS ${split}_data.jsonl`, dialogues, turns, ours, refs);
}

/** Human-readable lines of an agreement report. */
export function formatAgreement(a: ConverterAgreement): string {
  const pct = (f: FieldAgreement) =>
    `${f.equal}/${f.total} (${f.total ? ((100 * f.equal) / f.total).toFixed(1) : '0.0'}%)`;
  return [
    `${a.comparison}: ${a.dialogues} dialogues, ${a.turns.text.total} turns`,
    `  turns equal: text ${pct(a.turns.text)}, items ${pct(a.turns.items)}, entities ${pct(a.turns.entities)}, template ${pct(a.turns.template)}`,
    `  rec samples: ours ${a.samples.ours}, reference ${a.samples.reference}, same (dialog, turn) ${a.samples.sameKeys}`,
    `  samples equal: rec ${pct(a.samples.fields.rec)}, context ${pct(a.samples.fields.context)}, entity ${pct(a.samples.fields.entity)}`,
  ].join('\n');
}
