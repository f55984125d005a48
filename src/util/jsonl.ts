import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { writeAtomically } from './atomic-file.js';
import { assertReadableFile, InputError } from './errors.js';

export interface JsonlRecord<T> {
  /** 1-based line number in the file. */
  line: number;
  value: T;
}

/**
 * Streams a JSONL file, validating each line with `schema` when given.
 * Blank lines are skipped; a bad line throws an InputError naming file, line and the first bad field.
 */
export async function* readJsonl<S extends z.ZodType>(
  file: string,
  schema?: S,
  missingHint = 'check the path',
): AsyncGenerator<JsonlRecord<z.output<S>>> {
  assertReadableFile(file, missingHint, 'a JSONL file');
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    yield { line, value: parseJsonLine(text, file, line, schema) };
  }
}

/** Reads a whole JSONL file into memory (see readJsonl for validation and errors). */
export async function loadJsonl<S extends z.ZodType>(
  file: string,
  schema?: S,
  missingHint?: string,
): Promise<JsonlRecord<z.output<S>>[]> {
  const out: JsonlRecord<z.output<S>>[] = [];
  for await (const rec of readJsonl(file, schema, missingHint)) out.push(rec);
  return out;
}

export function parseJsonLine<S extends z.ZodType>(
  text: string,
  file: string,
  line: number,
  schema?: S,
): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError({ file, line }, `not valid JSON (${(err as Error).message})`);
  }
  if (!schema) return raw as z.output<S>;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new InputError({ file, line, field: issue.path.map(String).join('.') || undefined }, issue.message);
}

/**
 * Writes records as JSONL atomically (temp file + rename), so a killed writer never leaves half a file. The
 * text goes out in chunks: a whole file as one string fails past V8's string limit (~512 MiB), which a batch
 * file of a ReDial judging pool exceeds.
 */
export async function writeJsonl(file: string, records: Iterable<unknown>): Promise<void> {
  await writeAtomically(file, (tmp) => writeLines(tmp, 'w', records));
}

/** Appends records to a JSONL file (for resumable outputs written as work completes). */
export async function appendJsonl(file: string, records: Iterable<unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeLines(file, 'a', records);
}

/** Characters gathered before a write: large enough for few system calls, far below the string limit. */
const CHUNK_CHARS = 4 * 1024 * 1024;

async function writeLines(file: string, flags: 'w' | 'a', records: Iterable<unknown>): Promise<void> {
  let text = '';
  let handle: FileHandle | undefined;
  const flush = async () => {
    handle ??= await open(file, flags);
    await handle.write(text);
    text = '';
  };
  try {
    for (const r of records) {
      text += `${JSON.stringify(r)}\n`;
      if (text.length >= CHUNK_CHARS) await flush();
    }
    // An empty append leaves the file as it was (it may not exist); an empty write creates it empty.
    if (text || flags === 'w') await flush();
  } finally {
    await handle?.close();
  }
}
