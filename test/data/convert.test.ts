import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { inspiredConverterAgreement, redialConverterAgreement } from '../../src/data/convert/agreement.js';
import { convertLinkedFile, linkedFileToProcessed, toPythonJsonl } from '../../src/data/convert/files.js';
import { inspiredRowsToLinked, readInspiredTsv } from '../../src/data/convert/inspired-raw.js';
import { collapseWhitespace, htmlUnescape, pythonJsonDumps } from '../../src/data/convert/python-text.js';
import { loadRedialTrainSamples } from '../../src/data/redial-train.js';

const dataDir = resolveDataDir(undefined).dir;
const tmp = () => mkdtempSync(join(tmpdir(), 'crsaug-convert-'));

test('linked → processed reproduces the reference ReDial valid file byte for byte', async () => {
  const dir = tmp();
  try {
    const out = join(dir, 'valid_data_processed.jsonl');
    const n = await convertLinkedFile(join(dataDir, 'redial', 'valid_data.jsonl'), out, 'redial');
    assert.equal(n, 2716);
    assert.ok(readFileSync(out).equals(readFileSync(join(dataDir, 'redial', 'valid_data_processed.jsonl'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('linked → processed reproduces the INSPIRED valid and test files byte for byte', async () => {
  for (const split of ['valid', 'test']) {
    const text = toPythonJsonl(
      await linkedFileToProcessed(join(dataDir, 'inspired', `${split}_data.jsonl`), 'inspired'),
    );
    assert.equal(
      text,
      readFileSync(join(dataDir, 'inspired', `${split}_data_processed.jsonl`), 'utf8'),
      split,
    );
  }
});

test('Python string behaviours the byte-exact output depends on', () => {
  assert.equal(collapseWhitespace('  a\u00a0 b\n\tc\u3000'), 'a b c');
  assert.equal(collapseWhitespace('a\ufeffb'), 'a\ufeffb'); // not whitespace for Python, unlike JS \s
  assert.equal(
    htmlUnescape('&quot;It&quot; &amp; &gt; &#39;x&#x27; &amp &buh &copy2'),
    `"It" & > 'x' & &buh ©2`,
  );
  assert.equal(
    htmlUnescape('&#150; &#0; &#x110000; &#129; &#1; &AMP; &hellip;'),
    '\u2013 \ufffd \ufffd \x81  & \u2026',
  );
  assert.equal(
    pythonJsonDumps({ a: ['é', 1, null], b: { c: 'line\n"q"' } }),
    '{"a": ["é", 1, null], "b": {"c": "line\\n\\"q\\""}}',
  );
});

test('raw ReDial → linked agrees with CFCRS on the 360 shared dialogues', async () => {
  const a = await redialConverterAgreement(join(dataDir, 'redial'));
  assert.equal(a.dialogues, 360);
  assert.equal(a.turns.text.equal, a.turns.text.total); // the merge rule is exact
  assert.ok(a.turns.items.equal / a.turns.items.total > 0.99);
  assert.ok(a.turns.entities.equal / a.turns.entities.total > 0.94);
  assert.equal(a.samples.fields.context.equal, a.samples.fields.context.total);
});

test('INSPIRED TSV → linked agrees with CFCRS valid/test', async () => {
  for (const split of ['valid', 'test'] as const) {
    const a = await inspiredConverterAgreement(join(dataDir, 'inspired'), split);
    assert.equal(a.dialogues, 99);
    assert.ok(a.turns.text.equal / a.turns.text.total > 0.99, split);
    assert.ok(a.turns.items.equal / a.turns.items.total > 0.98, split);
    assert.ok(a.samples.fields.rec.equal / a.samples.fields.rec.total > 0.97, split);
  }
});

test('a malformed INSPIRED TSV row names file, line and field', () => {
  const dir = tmp();
  try {
    const header = readFileSync(join(dataDir, 'inspired', 'raw', 'dev.tsv'), 'utf8').split('\n')[0]!;
    const cols = header.split('\t').length;
    const row = (speaker: string) =>
      ['d1', '1', speaker, '1', 'hi', 'hi', '', '', '', ...Array(cols - 9).fill('')].join('\t');
    const file = join(dir, 'bad.tsv');
    writeFileSync(file, `${header}\n${row('SEEKER')}\n${row('BOT')}\n`);
    assert.throws(() => readInspiredTsv(file), /bad\.tsv:3: field "speaker": expected RECOMMENDER or SEEKER/);
    writeFileSync(file, `${header}\nd1\tonly two\n`);
    assert.throws(() => readInspiredTsv(file), /bad\.tsv:2: expected \d+ tab-separated columns, got 2/);
    writeFileSync(file, `${header}\n${row('SEEKER')}\n${row('SEEKER')}\n${row('RECOMMENDER')}\n`);
    const linked = inspiredRowsToLinked(readInspiredTsv(file), () => true);
    assert.deepEqual(
      linked[0]!.dialog.map((t) => [t.role, t.text]),
      [
        ['SEEKER', 'hi hi'],
        ['RECOMMENDER', 'hi'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ReDial train split is rebuilt from raw without valid or test ids, then served from the cache', async () => {
  const cacheDir = tmp();
  try {
    const built = await loadRedialTrainSamples(join(dataDir, 'redial'), cacheDir, { silent: true });
    assert.equal(built.fromCache, false);
    const ids = new Set(built.samples.map((s) => String(s.dialog_id)));
    assert.equal(built.samples.length, 8680);
    assert.equal(ids.size, 3109);
    const validIds = new Set(
      readFileSync(join(dataDir, 'redial', 'valid_data_processed.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => String(JSON.parse(l).dialog_id)),
    );
    assert.ok([...ids].every((id) => !validIds.has(id) && Number(id) < 20001));
    const again = await loadRedialTrainSamples(join(dataDir, 'redial'), cacheDir, { silent: true });
    assert.equal(again.fromCache, true);
    assert.deepEqual(again.samples, built.samples);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
