import { InputError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { ReportInput } from './schema.js';

/**
 * Validates a report input; the error names the first bad field as a dotted path
 * (e.g. `results.rows.2.mean.recall@10`) and counts the others.
 */
export function parseReportInput(value: unknown, file?: string): ReportInput {
  const parsed = ReportInput.safeParse(value);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new InputError(
    { file, field: first.path.map(String).join('.') || undefined },
    `${first.message}${more}`,
  );
}

/** Reads results.json (or a saved report.json) and validates it. */
export function readReportInput(file: string): ReportInput {
  const raw = readJsonFile(file, undefined, 'crsaug run writes results.json into its run folder');
  return parseReportInput(raw, file);
}
