import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
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

/** Writes records as JSONL atomically (temp file + rename), so a killed writer never leaves half a file. */
export async function writeJsonl(file: string, records: Iterable<unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const parts: string[] = [];
  for (const r of records) parts.push(JSON.stringify(r));
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, parts.length ? `${parts.join('\n')}\n` : '');
  await rename(tmp, file);
}

/** Appends records to a JSONL file (for resumable outputs written as work completes). */
export async function appendJsonl(file: string, records: Iterable<unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  let text = '';
  for (const r of records) text += `${JSON.stringify(r)}\n`;
  if (text) await appendFile(file, text);
}
