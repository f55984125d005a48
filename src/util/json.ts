import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';
import { assertReadableFile, InputError } from './errors.js';

/** Reads and validates a JSON file; errors name the file and the first bad field. */
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema?: S,
  missingHint = 'check the path',
): z.output<S> {
  assertReadableFile(file, missingHint, 'a JSON file');
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    throw new InputError({ file, line: lineOfJsonError(text, message) }, `not valid JSON (${message})`);
  }
  if (!schema) return raw as z.output<S>;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new InputError({ file, field: issue.path.map(String).join('.') || undefined }, issue.message);
}

/** V8 reports a character position; turn it into the line a person would open. */
function lineOfJsonError(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Writes JSON atomically with stable two-space indentation. */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
