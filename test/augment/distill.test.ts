import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  agreement,
  averageRanks,
  pearson,
  spearman,
  thresholdAgreement,
} from '../../src/augment/agreement.js';
import { distill, formatAgreementTable, saveDistillResult } from '../../src/augment/distill.js';
import { itemTexts } from '../../src/augment/retrieve.js';
import { Student } from '../../src/augment/student.js';
import { defaultTeacherDir } from '../../src/augment/teacher-set.js';
import { DistillConfigSchema, RetrieveConfigSchema } from '../../src/config/augment.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';
import { InputError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-distill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('agreement metrics', () => {
  test('ties share their average rank, so Spearman handles integer teacher scores', () => {
    assert.deepEqual([...averageRanks([3, 1, 3, 0])], [3.5, 2, 3.5, 1]);
    assert.equal(spearman([1, 2, 3, 4], [0, 0, 1, 1]), pearson([1, 2, 3, 4], [1.5, 1.5, 3.5, 3.5]));
    assert.ok(Math.abs(spearman([1, 2, 3], [10, 20, 30]) - 1) < 1e-12);
  });

  test('a constant predictor has no correlation (NaN), and zero precision/recall at thresholds it never reaches', () => {
    const a = agreement([1.2, 1.2, 1.2], [0, 4, 2]);
    assert.ok(Number.isNaN(a.pearson) && Number.isNaN(a.spearman));
    assert.equal(a.mae, (1.2 + 2.8 + 0.8) / 3);
    assert.deepEqual(
      a.thresholds.map((t) => [t.threshold, t.precision, t.recall, t.teacherPositives]),
      [
        [3.5, 0, 0, 1],
        [3, 0, 0, 1],
      ],
    );
  });

  test('precision, recall and F1 of the ≥ threshold decision', () => {
    // Teacher positives at ≥ 3.5: pairs 0 and 1; predicted: pairs 1 and 2.
    const t = thresholdAgreement([3.0, 3.6, 3.9, 0], [4, 4, 3, 0], 3.5);
    assert.deepEqual([t.precision, t.recall, t.f1], [0.5, 0.5, 0.5]);
  });
});

describe('distill', () => {
  test('trains on the INSPIRED teacher file, reports held-out agreement per scorer, saves a loadable student', async () => {
    const config = RetrieveConfigSchema.parse({});
    const result = await distill({
      teacherFiles: [join(defaultTeacherDir(), 'inspired_train.jsonl')],
      openEmbedder: async (dataset) =>
        new TfidfLsaEmbedder(itemTexts(dataset.catalog, config), { dimensions: 64, seed: 1, silent: true }),
      retrieveConfig: config,
      config: DistillConfigSchema.parse({ epochs: 30 }),
      seed: 5,
      silent: true,
    });
    assert.deepEqual(
      result.files.map((f) => [f.dataset, f.split, f.contexts, f.pairs, f.heldOutContexts]),
      [['inspired', 'train', 240, 2880, 48]],
    );
    assert.equal(result.trainPairs, 2880 - result.files[0]!.heldOutPairs);
    assert.deepEqual(
      result.rows.map((r) => r.scorer),
      ['student', 'train mean', 'embedding similarity'],
    );
    const [student, mean] = result.rows;
    assert.ok(student!.agreement.mae < mean!.agreement.mae - 0.2);
    assert.match(result.student.config.description, /inspired\/train/);
    const table = formatAgreementTable(result.rows);
    assert.match(table, /\| inspired\/train +\| student +\| +576 \| +0\.\d{3} \|/);

    await saveDistillResult(dir, result);
    assert.ok(existsSync(join(dir, 'model.safetensors')));
    const report = JSON.parse(readFileSync(join(dir, 'agreement.json'), 'utf8'));
    assert.equal(report.rows.length, 3);
    const loaded = await Student.load(dir);
    assert.equal(loaded.config.trainedPairs, result.trainPairs);
    loaded.free();
  });

  test('valid judgments only measure the student (never trained on); test judgments are refused', async () => {
    const config = RetrieveConfigSchema.parse({});
    const options = {
      openEmbedder: async (dataset: Dataset) =>
        new TfidfLsaEmbedder(itemTexts(dataset.catalog, config), { dimensions: 32, seed: 1, silent: true }),
      retrieveConfig: config,
      config: DistillConfigSchema.parse({ epochs: 2 }),
      seed: 5,
      silent: true,
    };
    const valid = join(defaultTeacherDir(), 'redial_valid.jsonl');
    const result = await distill({
      ...options,
      teacherFiles: [join(defaultTeacherDir(), 'inspired_train.jsonl'), valid],
    });
    const [train, held] = result.files;
    assert.deepEqual([held!.split, held!.heldOutPairs, held!.pairs], ['valid', 2880, 2880]);
    assert.equal(result.trainPairs, train!.pairs - train!.heldOutPairs, 'no valid pair is trained on');
    assert.match(result.student.config.description, /\(inspired\/train, \d+ pairs\)/);
    assert.ok(result.rows.some((r) => r.scope === 'redial/valid' && r.agreement.pairs === 2880));
    await assert.rejects(distill({ ...options, teacherFiles: [valid] }), /no train-split judgments/);

    const testSplit = join(dir, 'inspired_test.jsonl');
    const lines = readFileSync(join(defaultTeacherDir(), 'inspired_train.jsonl'), 'utf8').split('\n');
    const testContext = (await loadDataset('inspired', { splits: ['test'] })).splits.test!.contexts[0]!;
    const line = {
      ...JSON.parse(lines[0]!),
      split: 'test',
      dialog_id: testContext.dialogId,
      turn_id: testContext.turnId,
    };
    writeFileSync(testSplit, `${JSON.stringify(line)}\n`);
    await assert.rejects(distill({ ...options, teacherFiles: [testSplit] }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.deepEqual(err.location, { file: testSplit, line: 1, field: 'split' });
      assert.match(err.message, /evaluation only/);
      return true;
    });
    // A judge's file (lines marked "purpose": "evaluation") is refused whatever its split.
    const judged = join(dir, 'marked.judgments.jsonl');
    const trainLines = lines
      .filter(Boolean)
      .slice(0, 3)
      .map((l) => JSON.parse(l));
    writeFileSync(
      judged,
      trainLines.map((l, i) => JSON.stringify(i === 1 ? { ...l, purpose: 'evaluation' } : l)).join('\n'),
    );
    await assert.rejects(distill({ ...options, teacherFiles: [judged] }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.deepEqual(err.location, { file: judged, line: 2, field: 'purpose' });
      return true;
    });
  });
});
