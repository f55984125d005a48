import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonFile } from '../util/json.js';
import { redactSecrets } from '../util/secrets.js';
import { parseReportInput } from './parse.js';
import { renderReport } from './render.js';
import type { ReportInputJson } from './schema.js';

export interface WrittenReport {
  html: string;
  json: string;
}

/**
 * Writes report.html and, next to it, report.json: the validated input, so the page can be re-rendered.
 * Secrets in the input (the run's config) are shown as "***".
 */
export async function writeReport(dir: string, input: ReportInputJson): Promise<WrittenReport> {
  const report = parseReportInput(redactSecrets(input));
  const files = { html: join(dir, 'report.html'), json: join(dir, 'report.json') };
  await mkdir(dir, { recursive: true });
  await writeFile(files.html, renderReport(report));
  await writeJsonFile(files.json, report);
  return files;
}
