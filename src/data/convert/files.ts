import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { readJsonFile } from '../../util/json.js';
import { loadJsonl } from '../../util/jsonl.js';
import { Progress } from '../../util/progress.js';
import type { ProcessedSample } from '../samples.js';
import { inspiredRowsToLinked, readInspiredTsv } from './inspired-raw.js';
import { type LinkedFormat, LinkedInspiredDialogSchema, LinkedRedialDialogSchema } from './linked.js';
import { pythonJsonDumps } from './python-text.js';
import { RawRedialDialogSchema, RedialRawLinker } from './redial-raw.js';
import { inspiredToProcessed, redialToProcessed } from './to-processed.js';

/** Linked dialogues file → processed samples, in file order (data README §6.1). */
export async function linkedFileToProcessed(file: string, format: LinkedFormat): Promise<ProcessedSample[]> {
  if (format === 'redial') {
    return (await loadJsonl(file, LinkedRedialDialogSchema)).flatMap((r) => redialToProcessed(r.value));
  }
  return (await loadJsonl(file, LinkedInspiredDialogSchema)).flatMap((r) => inspiredToProcessed(r.value));
}

/** JSONL text as CFCRS writes it (Python json.dumps, ensure_ascii=False), so outputs compare byte for byte. */
export function toPythonJsonl(records: readonly unknown[]): string {
  return records.map((r) => `${pythonJsonDumps(r)}\n`).join('');
}

/** Writes JSONL in the CFCRS byte format, atomically. */
export async function writePythonJsonl(file: string, records: readonly unknown[]): Promise<void> {
  await writeFileAtomic(file, toPythonJsonl(records));
}

/** Official raw ReDial JSONL → CFCRS linked JSONL; `kgDir` holds id2info.json and entity2type.json. */
export async function convertRedialRawFile(
  input: string,
  output: string,
  kgDir: string,
  keep: (conversationId: string) => boolean = () => true,
): Promise<number> {
  const linker = RedialRawLinker.fromDir(
    kgDir,
    'pass --kg-dir with the ReDial KG files (id2info.json, entity2type.json)',
  );
  const dialogs = (await loadJsonl(input, RawRedialDialogSchema)).filter((r) =>
    keep(String(r.value.conversationId)),
  );
  const progress = new Progress(`linking ${input}`, dialogs.length, { unit: 'dialogues' });
  const linked = dialogs.map((r) => {
    progress.tick();
    return linker.link(r.value);
  });
  progress.finish();
  await writePythonJsonl(output, linked);
  return linked.length;
}

/** Official INSPIRED TSV → CFCRS linked JSONL; `kgDir` holds entity2id.json (entities are kept if known). */
export async function convertInspiredTsvFile(input: string, output: string, kgDir: string): Promise<number> {
  const entityIds = readJsonFile(
    join(kgDir, 'entity2id.json'),
    z.record(z.string(), z.number()),
    'pass --kg-dir with the INSPIRED KG files (entity2id.json)',
  );
  const linked = inspiredRowsToLinked(readInspiredTsv(input), (name) => Object.hasOwn(entityIds, name));
  await writePythonJsonl(output, linked);
  return linked.length;
}

/** Linked JSONL → processed rec-task JSONL, byte-compatible with CFCRS prepare.py. */
export async function convertLinkedFile(
  input: string,
  output: string,
  format: LinkedFormat,
): Promise<number> {
  const samples = await linkedFileToProcessed(input, format);
  await writePythonJsonl(output, samples);
  return samples.length;
}
