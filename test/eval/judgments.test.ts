import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import {
  assertTrainingJudgments,
  defaultJudgmentFiles,
  defaultJudgmentsDir,
  loadJudgments,
  type TrainingJudgmentSet,
} from '../../src/eval/judgments.js';
import { InputError } from '../../src/util/errors.js';

let dataset: Dataset;
let dir: string;
before(async () => {
  dataset = await loadDataset('inspired', { splits: ['test'] });
  dir = mkdtempSync(join(tmpdir(), 'crsaug-judgments-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const shared = () => join(defaultJudgmentsDir(), 'inspired_test.jsonl');
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    dataset: 'inspired',
    split: 'test',
    dialog_id: dataset.splits.test!.contexts[0]!.dialogId,
    turn_id: dataset.splits.test!.contexts[0]!.turnId,
    item: dataset.catalog.items[0]!.name,
    score: 2,
    ...fields,
  });
const write = (name: string, lines: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

test('the shared folder: its INSPIRED test file is read, the ReDial one skipped; test judgments are evaluation only', async () => {
  assert.deepEqual(
    defaultJudgmentFiles().map((f) => f.split('/').pop()),
    ['inspired_test.jsonl', 'redial_test.jsonl'],
  );
  const { judgments, skipped } = await loadJudgments(dataset, 'test');
  assert.deepEqual(
    judgments.files.map((f) => [f.file, f.lines]),
    [[shared(), 4039]],
  );
  assert.deepEqual(
    skipped.map((f) => [f.dataset, f.split]),
    [['redial', 'test']],
  );
  // The README's counts: 120 contexts, 4,039 pairs.
  assert.equal(judgments.contexts, 120);
  assert.equal(judgments.pairs, 4039);
  assert.equal(judgments.split, 'test');
  assert.equal(judgments.evaluationOnly, true);
  const first = JSON.parse(readFileSync(shared(), 'utf8').split('\n')[0]!);
  const item = dataset.catalog.itemOfEntity[dataset.catalog.entityIds.get(first.item)!]!;
  assert.deepEqual(judgments.get(first.dialog_id, first.turn_id, item), { score: first.score, count: 1 });
});

test('extra files add to the default ones; a pair judged again is averaged', async () => {
  const context = dataset.splits.test!.contexts[0]!;
  const extra = write('extra.jsonl', [line({ score: 4 }), line({ score: 1 })]);
  const { judgments } = await loadJudgments(dataset, 'test', { files: [extra], defaults: false });
  assert.deepEqual(judgments.get(context.dialogId, context.turnId, 0), { score: 2.5, count: 2 });
  assert.equal(judgments.lines, 2);
  const both = await loadJudgments(dataset, 'test', { files: [extra] });
  assert.equal(both.judgments.files.length, 2);
  assert.equal(both.judgments.lines, 4039 + 2);
});

test('bad judgment files fail with file, line and field', async () => {
  const cases: [string, string[], RegExp][] = [
    [
      'other.jsonl',
      [line({ dataset: 'redial' })],
      /other\.jsonl:1: field "dataset": holds judgments of redial\/test/,
    ],
    [
      'valid.jsonl',
      [line({ split: 'valid' })],
      /valid\.jsonl:1: field "split": holds judgments of inspired\/valid/,
    ],
    [
      'mixed.jsonl',
      [line({}), line({ split: 'valid' })],
      /mixed\.jsonl:2: field "dataset": one file holds one dataset split/,
    ],
    ['context.jsonl', [line({}), line({ turn_id: 999 })], /context\.jsonl:2: field "dialog_id": no context/],
    [
      'item.jsonl',
      [line({ item: 'No Such Film (1901)' })],
      /item\.jsonl:1: field "item": "No Such Film \(1901\)" is not an item/,
    ],
    ['score.jsonl', [line({}), '', line({ score: 5 })], /score\.jsonl:3: field "score"/],
    ['json.jsonl', ['{"dataset": '], /json\.jsonl:1: not valid JSON/],
    ['empty.jsonl', [''], /empty\.jsonl: no judgments in file/],
  ];
  for (const [name, lines, message] of cases) {
    const file = write(name, lines);
    await assert.rejects(
      loadJudgments(dataset, 'test', { files: [file], defaults: false }),
      (err: unknown) => {
        assert.ok(err instanceof InputError, `${name}: ${err}`);
        assert.match(err.message, message);
        return true;
      },
    );
  }
  await assert.rejects(loadJudgments(dataset, 'valid'), /need the valid split loaded/);
});

test('test-split judgments and those crsaug judge made are refused for training; train and valid ones pass', () => {
  assertTrainingJudgments(
    [
      { file: 'a.jsonl', split: 'train' },
      { file: 'b.jsonl', split: 'valid' },
    ],
    'distillation',
  );
  const refusal = (set: TrainingJudgmentSet) => {
    try {
      assertTrainingJudgments([{ file: 'a.jsonl', split: 'train' }, set], 'distillation');
    } catch (err) {
      assert.ok(err instanceof InputError);
      return { location: err.location, message: err.message };
    }
    assert.fail('not refused');
  };
  const test = refusal({ file: shared(), split: 'test' });
  assert.deepEqual(test.location, { file: shared(), line: 1, field: 'split' });
  assert.match(
    test.message,
    /inspired_test\.jsonl:1: field "split": test-split judgments serve evaluation only, not distillation/,
  );
  // A valid-split file the judge wrote is marked on its lines, and refused at the first marked line.
  const judged = refusal({ file: 'judge/inspired_valid.judgments.jsonl', split: 'valid', evaluationLine: 3 });
  assert.deepEqual(judged.location, {
    file: 'judge/inspired_valid.judgments.jsonl',
    line: 3,
    field: 'purpose',
  });
  assert.match(judged.message, /judgments crsaug judge made for evaluation serve evaluation only/);
});
