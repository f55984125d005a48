import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { meanAbsoluteError, spearman, thresholdAgreement } from '../../src/augment/agreement.js';
import { type FeaturizedPairs, featurizeTeacherSet, heldOutContexts } from '../../src/augment/distill.js';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  PairFeaturizer,
  SemanticSpace,
} from '../../src/augment/features/index.js';
import { itemTexts } from '../../src/augment/retrieve.js';
import {
  gatherRows,
  interpolate,
  quantileMap,
  Student,
  type TrainStudentOptions,
} from '../../src/augment/student.js';
import { DatasetCache, defaultTeacherDir, loadTeacherSet } from '../../src/augment/teacher-set.js';
import { DistillConfigSchema, RetrieveConfigSchema } from '../../src/config/augment.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';

// The real INSPIRED teacher judgments (2,880 pairs, 240 contexts), featurised once for every test here.
let pairs: FeaturizedPairs;
let train: { features: Float32Array; targets: Float32Array; groups: Int32Array };
let heldOut: { features: Float32Array; targets: Float32Array };
let dir: string;

const options: TrainStudentOptions = {
  featureNames: FEATURE_NAMES,
  ...DistillConfigSchema.parse({}),
  seed: 7,
  description: 'test student',
  embedder: 'builtin',
  silent: true,
};

before(async () => {
  const set = await loadTeacherSet(join(defaultTeacherDir(), 'inspired_train.jsonl'), new DatasetCache());
  const config = RetrieveConfigSchema.parse({});
  // A smaller LSA than the CLI's 256-d keeps the fit to a few seconds.
  const embedder = new TfidfLsaEmbedder(itemTexts(set.dataset.catalog, config), {
    dimensions: 64,
    seed: 1,
    silent: true,
  });
  const featurizer = PairFeaturizer.create(
    set.dataset,
    await SemanticSpace.create(embedder, set.dataset.catalog, config),
  );
  pairs = await featurizeTeacherSet(set, featurizer, true);
  const held = heldOutContexts(pairs.contextKeys, 0.25, 3);
  const split = (want: boolean) => {
    const rows = pairs.contextKeys.flatMap((k, r) => (held.has(k) === want ? [r] : []));
    const keys = [...new Set(rows.map((r) => pairs.contextKeys[r]!))];
    return {
      features: gatherRows(pairs.features, FEATURE_COUNT, rows),
      targets: Float32Array.from(rows, (r) => pairs.targets[r]!),
      groups: Int32Array.from(rows, (r) => keys.indexOf(pairs.contextKeys[r]!)),
    };
  };
  train = split(false);
  heldOut = split(true);
  dir = mkdtempSync(join(tmpdir(), 'crsaug-student-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('student', () => {
  test('the held-out split is by context: no context has pairs on both sides', () => {
    const held = heldOutContexts(pairs.contextKeys, 0.25, 3);
    assert.equal(held.size, 60);
    assert.equal(train.targets.length + heldOut.targets.length, 2880);
    assert.equal(heldOut.targets.length, 60 * 12);
  });

  test('training lowers the MSE and beats the train-mean baseline on held-out contexts by a real margin', () => {
    const { student, trainMse } = Student.train(train.features, train.targets, options);
    assert.ok(trainMse.at(-1)! < trainMse[0]! - 0.1, `train MSE ${trainMse[0]} → ${trainMse.at(-1)}`);
    const prediction = student.predict(heldOut.features);
    for (const p of prediction) assert.ok(p >= 0 && p <= 4);
    const mean = train.targets.reduce((s, t) => s + t, 0) / train.targets.length;
    const baseline = meanAbsoluteError(new Float32Array(heldOut.targets.length).fill(mean), heldOut.targets);
    const mae = meanAbsoluteError(prediction, heldOut.targets);
    assert.ok(mae < baseline - 0.2, `student MAE ${mae.toFixed(3)} vs mean baseline ${baseline.toFixed(3)}`);
    const rho = spearman(prediction, heldOut.targets);
    const simRho = spearman(
      Float32Array.from(
        heldOut.targets,
        (_, r) => heldOut.features[r * FEATURE_COUNT + FEATURE_NAMES.indexOf('sem_sim')]!,
      ),
      heldOut.targets,
    );
    assert.ok(
      rho > 0.45 && rho > simRho + 0.1,
      `student Spearman ${rho.toFixed(3)}, similarity ${simRho.toFixed(3)}`,
    );
    student.free();
  });

  test("mse+listwise: needs each row's context, trains deterministically, ranks held-out pairs as well as MSE", () => {
    assert.throws(
      () => Student.train(train.features, train.targets, { ...options, objective: 'mse+listwise' }),
      /needs the context of every training row/,
    );
    const listwise = { ...options, objective: 'mse+listwise' as const, groups: train.groups };
    const a = Student.train(train.features, train.targets, listwise).student;
    const b = Student.train(train.features, train.targets, listwise).student;
    const mse = Student.train(train.features, train.targets, options).student;
    const pa = a.predict(heldOut.features);
    assert.deepEqual([...pa], [...b.predict(heldOut.features)]);
    const rho = spearman(pa, heldOut.targets);
    const mseRho = spearman(mse.predict(heldOut.features), heldOut.targets);
    assert.ok(
      rho > 0.45 && rho > mseRho - 0.05,
      `listwise Spearman ${rho.toFixed(3)}, MSE ${mseRho.toFixed(3)}`,
    );
    assert.notDeepEqual([...pa], [...mse.predict(heldOut.features)], 'the listwise term changes the student');
    for (const s of [a, b, mse]) s.free();
  });

  test('the same data and seed give the same student; another seed gives another', () => {
    const small = { ...options, epochs: 5 };
    const a = Student.train(train.features, train.targets, small).student;
    const b = Student.train(train.features, train.targets, small).student;
    const c = Student.train(train.features, train.targets, { ...small, seed: 8 }).student;
    assert.deepEqual(a.predict(heldOut.features), b.predict(heldOut.features));
    assert.notDeepEqual(a.predict(heldOut.features), c.predict(heldOut.features));
    for (const s of [a, b, c]) s.free();
  });

  test('a saved student loads back with the same predictions and its feature normalisation', async () => {
    const { student } = Student.train(train.features, train.targets, { ...options, epochs: 3 });
    await student.save(dir);
    const loaded = await Student.load(dir);
    assert.deepEqual(loaded.config, student.config);
    assert.deepEqual(loaded.predict(heldOut.features), student.predict(heldOut.features));
    student.free();
    loaded.free();
  });

  test('calibration: the quantile-mapped student keeps as many held-out pairs at 3.5 as the teacher, with the same ranking', () => {
    const raw = Student.train(train.features, train.targets, { ...options, calibration: 'none' }).student;
    const calibrated = Student.train(train.features, train.targets, options).student;
    assert.equal(raw.config.calibration, undefined);
    const rawPrediction = raw.predict(heldOut.features);
    const prediction = calibrated.predict(heldOut.features);
    const rawAt = thresholdAgreement(rawPrediction, heldOut.targets, 3.5);
    const at = thresholdAgreement(prediction, heldOut.targets, 3.5);
    // MSE shrinks towards the mean: the raw student keeps well under half the teacher's 4s.
    assert.ok(rawAt.predictedPositives < at.teacherPositives / 2, JSON.stringify(rawAt));
    const ratio = at.predictedPositives / at.teacherPositives;
    assert.ok(ratio > 0.6 && ratio < 1.6, JSON.stringify(at));
    assert.ok(
      at.recall > rawAt.recall + 0.1 && at.f1 > rawAt.f1,
      `${JSON.stringify(rawAt)} → ${JSON.stringify(at)}`,
    );
    // Same network (same seed and data), monotone map: the ranking is the raw one.
    assert.ok(
      Math.abs(spearman(prediction, heldOut.targets) - spearman(rawPrediction, heldOut.targets)) < 0.01,
    );
    raw.free();
    calibrated.free();
  });
});

describe('quantileMap', () => {
  test('maps shrunk predictions onto the teacher distribution: same share at ≥ 3.5 as 4s, strictly increasing', () => {
    const targets = Float32Array.from({ length: 1000 }, (_, i) =>
      i < 400 ? 0 : i < 700 ? 1 : i < 850 ? 2 : i < 940 ? 3 : 4,
    );
    // Predictions in the targets' order but squeezed into [1.2, 2.4], as an MSE regressor's are.
    const predictions = Float32Array.from(targets, (_, i) => 1.2 + (1.2 * i) / 999);
    const { from, to } = quantileMap(predictions, targets);
    for (let k = 1; k < from.length; k++) {
      assert.ok(from[k]! > from[k - 1]! && to[k]! > to[k - 1]!, `knot ${k}`);
    }
    const mapped = predictions.map((p) => interpolate(from, to, p));
    const kept = mapped.filter((v) => v >= 3.5).length;
    assert.ok(Math.abs(kept - 60) <= 6, `${kept} mapped to ≥ 3.5, the teacher has 60 fours`);
    assert.ok(mapped.filter((v) => v < 0.5).length >= 390, 'the bottom 40% map into the 0 interval');
  });

  test('interpolate: linear between knots, constant beyond the ends', () => {
    assert.equal(interpolate([0, 1, 3], [0, 2, 3], 0.5), 1);
    assert.equal(interpolate([0, 1, 3], [0, 2, 3], 2), 2.5);
    assert.equal(interpolate([0, 1, 3], [0, 2, 3], -5), 0);
    assert.equal(interpolate([0, 1, 3], [0, 2, 3], 9), 3);
  });
});
