import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportFinetuneSet, teacherAnswer } from '../../src/augment/finetune-export.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import {
  DatasetCache,
  defaultTeacherDir,
  defaultTeacherFiles,
  loadTeacherSet,
  type TeacherSet,
} from '../../src/augment/teacher-set.js';
import { ScoreConfigSchema } from '../../src/config/augment.js';
import { InputError } from '../../src/util/errors.js';

const datasets = new DatasetCache();
let set: TeacherSet;
const dir = mkdtempSync(join(tmpdir(), 'crsaug-teacher-'));
const file = join(defaultTeacherDir(), 'inspired_train.jsonl');

before(async () => {
  set = await loadTeacherSet(file, datasets);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('teacher judgments', () => {
  test('the shipped files are found and every INSPIRED judgment resolves to a context and an item', () => {
    assert.deepEqual(
      defaultTeacherFiles().map((f) => f.split('/').pop()),
      ['inspired_train.jsonl', 'inspired_train2.jsonl', 'redial_train.jsonl', 'redial_valid.jsonl'],
    );
    assert.equal(set.pairs.length, 2880);
    assert.equal(new Set(set.pairs.map((p) => `${p.context.dialogId}#${p.context.turnId}`)).size, 240);
    const first = set.pairs[0]!;
    assert.equal(first.context.dialogId, 'unicrs-train-171');
    assert.equal(set.dataset.catalog.items[first.item]!.name, 'Rush Hour (1998)');
    assert.equal(first.score, 3);
  });

  test('a bad line names the file, line and field', async () => {
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, 3);
    const bad = JSON.parse(lines[2]!);
    bad.item = 'No Such Film (1900)';
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${lines[0]}\n${lines[1]}\n${JSON.stringify(bad)}\n`);
    await assert.rejects(loadTeacherSet(broken, datasets), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.deepEqual(err.location, { file: broken, line: 3, field: 'item' });
      return true;
    });
    const outOfRange = join(dir, 'range.jsonl');
    writeFileSync(outOfRange, `${lines[0]!.replace('"score": 3', '"score": 7')}\n`);
    await assert.rejects(loadTeacherSet(outOfRange, datasets), /range\.jsonl:1: field "score"/);
  });
});

describe('fine-tuning export', () => {
  test('each judgment becomes {messages: [system, user, assistant]} with the scorer prompt and a parsable answer', async () => {
    const config = ScoreConfigSchema.parse({});
    const out = join(dir, 'finetune.jsonl');
    const summary = await exportFinetuneSet([set], config, out);
    assert.equal(summary.examples, 2880);
    assert.equal(
      summary.byScore.reduce((s, n) => s + n, 0),
      2880,
    );
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2880);
    const first = lines[0].messages;
    assert.deepEqual(
      first.map((m: { role: string }) => m.role),
      ['system', 'user', 'assistant'],
    );
    const pair = set.pairs[0]!;
    const expected = new ScoreRequests(set.dataset, config).request([
      { dialogId: pair.context.dialogId, turnId: pair.context.turnId, item: 'Rush Hour (1998)' },
    ]).messages;
    assert.deepEqual(first.slice(0, 2), expected);
    assert.equal(first[2].content, 'Score: 3');
  });

  test('reason mode puts the teacher reason before the score; fractional scores round to the answered digit', () => {
    const pair = { ...set.pairs[0]!, score: 3.6 };
    assert.equal(teacherAnswer(pair, 'reason'), 'Action comedy classic; fits action request\nScore: 4');
    assert.equal(teacherAnswer({ ...pair, reason: undefined }, 'reason'), 'Score: 4');
  });
});
