import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, MissingFileError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { ReportInput } from './schema.js';

/** The report's input, written by `crsaug run` (and `crsaug experiment`) beside report.html. */
export const REPORT_INPUT_FILE = 'report.json';

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

/**
 * Reads the report input a user points at: a run folder, its report.json, or its results.json (the file a
 * reader of a run folder sees first: it holds the metrics only, so the report.json beside it is read).
 */
export function readReportInput(path: string): { file: string; input: ReportInput } {
  const file = reportInputFileOf(path);
  const raw = readJsonFile(file, undefined, 'crsaug run writes report.json into its run folder');
  if (isReportInput(raw) || file !== path) return { file, input: parseReportInput(raw, file) };
  const beside = join(dirname(file), REPORT_INPUT_FILE);
  if (!existsSync(beside))
    throw new InputError(
      { file },
      `holds a run's metrics (${basename(file)}), not a report input, and no ${REPORT_INPUT_FILE} is beside it`,
      { hint: 'crsaug run writes report.json next to results.json; rerun it (finished stages are reused)' },
    );
  return { file: beside, input: parseReportInput(readJsonFile(beside), beside) };
}

function reportInputFileOf(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) return path;
  const file = join(path, REPORT_INPUT_FILE);
  if (!existsSync(file))
    throw new MissingFileError(file, `${path} is not a run folder: crsaug run writes report.json into it`);
  return file;
}

/** A report input declares its schema version; results.json does not. */
function isReportInput(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'schemaVersion' in raw;
}
