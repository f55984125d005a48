import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import type { ReportInputJson } from '../../src/report/schema.js';

export const FIXTURE_FILE = join(PACKAGE_ROOT, 'test', 'report', 'fixtures', 'results.fixture.json');

/** A fresh copy of the fixture report input each call, so tests can mutate it. */
export function loadFixture(): ReportInputJson {
  return JSON.parse(readFileSync(FIXTURE_FILE, 'utf8'));
}
