import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { loadJsonl } from '../../src/util/jsonl.js';

test('a bad line names file, line and field', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crsaug-jsonl-')), 'x.jsonl');
  writeFileSync(file, '{"a": 1}\n\n{"a": "no"}\n');
  const schema = z.object({ a: z.number() });
  await assert.rejects(loadJsonl(file, schema), (err: Error) => {
    assert.match(err.message, /x\.jsonl:3: field "a": /);
    return true;
  });
  writeFileSync(file, '{"a": 1}\n{"a": 2\n');
  await assert.rejects(loadJsonl(file, schema), /x\.jsonl:2: not valid JSON/);
});

test('a missing file says which file', async () => {
  await assert.rejects(
    loadJsonl('/nonexistent/f.jsonl', undefined, 'run crsaug data fetch'),
    /missing file: \/nonexistent\/f\.jsonl/,
  );
});
