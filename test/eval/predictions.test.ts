import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  describePredictionsReport,
  predictionsFileOf,
  readPredictions,
  writePredictions,
} from '../../src/eval/predictions.js';
import { MissingFileError } from '../../src/util/errors.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

const catalog = tinyCatalog(5);
const contexts = [
  tinyContext('d1', 2, [], [e(0)]),
  tinyContext('7', 4, [], [e(1)]),
  tinyContext('d2', 1, [], [e(2)]),
];
const dir = mkdtempSync(join(tmpdir(), 'crsaug-predictions-'));

function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return path;
}

test('joins by (dialog_id, turn_id), drops unknown/non-item/repeated names and reports missing contexts', async () => {
  const path = file('mixed.jsonl', [
    { dialog_id: 'd1', turn_id: 2, items: ['Movie 3', 'Not A Movie', 'genre1', 'Movie 0', 'Movie 3'] },
    { dialog_id: 7, turn_id: 4, items: ['Movie 1', 'Not A Movie'], score: [0.5] },
    { dialog_id: 'other', turn_id: 1, items: ['Movie 1'] },
  ]);
  const { rankings, report } = await readPredictions(path, contexts, catalog);
  assert.deepEqual(
    rankings.map((r) => [...r]),
    [[3, 0], [1], []],
  );
  assert.equal(report.lines, 3);
  assert.equal(report.matchedContexts, 2);
  assert.equal(report.missingContexts, 1);
  assert.deepEqual(report.examples.missingContexts, ['d2#1']);
  assert.equal(report.unmatchedLines, 1);
  assert.deepEqual(report.examples.unmatchedLines, [3]);
  assert.equal(report.unknownItemNames, 3);
  // Examples are distinct names (regression: a repeated unknown name filled every example slot).
  assert.deepEqual(report.examples.unknownItemNames, ['Not A Movie', 'genre1']);
  assert.equal(report.repeatedItemNames, 1);
  const line = describePredictionsReport(report);
  assert.match(line, /1 contexts without a line/);
  assert.match(line, /3 names are not catalog items .*"Not A Movie"/);
});

test('a second line for the same context names file, line and field', async () => {
  const path = file('dup.jsonl', [
    { dialog_id: 'd1', turn_id: 2, items: [] },
    { dialog_id: 'd1', turn_id: 2, items: ['Movie 1'] },
  ]);
  await assert.rejects(
    readPredictions(path, contexts, catalog),
    /dup\.jsonl:2: field "turn_id": second prediction .* \(first on line 1\)/,
  );
});

test('a malformed line names file, line and field', async () => {
  const path = file('bad.jsonl', [{ dialog_id: 'd1', turn_id: 2, items: 'Movie 1' }]);
  await assert.rejects(readPredictions(path, contexts, catalog), /bad\.jsonl:1: field "items"/);
  const noTurn = file('noturn.jsonl', [{ dialog_id: 'd1', items: [] }]);
  await assert.rejects(readPredictions(noTurn, contexts, catalog), /noturn\.jsonl:1: field "turn_id"/);
});

test('written predictions read back to the same rankings', async () => {
  const rankings = [Int32Array.of(4, 0, 2), Int32Array.of(1), new Int32Array(0)];
  const path = join(dir, 'round.jsonl');
  await writePredictions(path, contexts, rankings, catalog);
  const back = await readPredictions(path, contexts, catalog);
  assert.deepEqual(
    back.rankings.map((r) => [...r]),
    rankings.map((r) => [...r]),
  );
  assert.equal(back.report.missingContexts, 0);
  assert.equal(back.report.unknownItemNames, 0);
});

test('no line matching a context is an error, not all-zero metrics: an empty file or another split', async () => {
  await assert.rejects(
    readPredictions(file('empty.jsonl', []), contexts, catalog),
    (err: Error & { hint?: string }) => {
      assert.match(err.message, /empty\.jsonl: holds no predictions/);
      assert.equal(
        err.hint,
        'write one line per context: {"dialog_id", "turn_id", "items": [item names, best first]}',
      );
      return true;
    },
  );
  const otherSplit = file('other-split.jsonl', [
    { dialog_id: 'v1', turn_id: 2, items: ['Movie 1'] },
    { dialog_id: 'v2', turn_id: 3, items: ['Movie 2'] },
  ]);
  await assert.rejects(readPredictions(otherSplit, contexts, catalog), (err: Error & { hint?: string }) => {
    // The first evaluated context is named, so the user sees what a matching line looks like.
    assert.match(
      err.message,
      /other-split\.jsonl: none of its 2 lines matches one of the 3 contexts evaluated \(e\.g\. dialog_id d1 turn_id 2\)$/,
    );
    assert.equal(
      err.hint,
      'predictions of another split? evaluate them with --split (lines 1, 2 name contexts this split does not have)',
    );
    return true;
  });
  // With no context to evaluate there is no example to give: the message ends at the count.
  await assert.rejects(readPredictions(otherSplit, [], catalog), (err: Error) => {
    assert.match(err.message, /none of its 2 lines matches one of the 0 contexts evaluated$/);
    return true;
  });
});

test('a folder given as a predictions file is named, not a bare EISDIR', async () => {
  await assert.rejects(readPredictions(dir, contexts, catalog), (err: Error) => {
    assert.match(
      err.message,
      new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is a folder; expected a JSONL file`),
    );
    assert.doesNotMatch(err.message, /EISDIR/);
    return true;
  });
});

test('a missing predictions file says so and how to make one', async () => {
  await assert.rejects(readPredictions(join(dir, 'absent.jsonl'), contexts, catalog), (err: unknown) => {
    assert.ok(err instanceof MissingFileError);
    assert.match(err.message, /missing file: .*absent\.jsonl/);
    assert.equal(err.hint, 'write predictions first');
    return true;
  });
});

test('each problem keeps at most five distinct examples', async () => {
  const names = Array.from({ length: 7 }, (_, i) => `Unknown ${i}`);
  const path = file('many-unknown.jsonl', [{ dialog_id: 'd1', turn_id: 2, items: [...names, 'Unknown 0'] }]);
  const { report } = await readPredictions(path, contexts, catalog);
  assert.equal(report.unknownItemNames, 8);
  assert.deepEqual(report.examples.unknownItemNames, names.slice(0, 5));
});

test('the report line lists each kind of problem with its examples, and only the problems there are', async () => {
  const path = file('all-problems.jsonl', [
    { dialog_id: 'd1', turn_id: 2, items: ['Movie 3', 'Nope', 'Movie 3', 'Nada'] },
    { dialog_id: 'x', turn_id: 1, items: [] },
    { dialog_id: 'y', turn_id: 1, items: [] },
  ]);
  const { report } = await readPredictions(path, contexts, catalog);
  assert.equal(
    describePredictionsReport(report),
    `${path}: 3 lines, 1 contexts matched; 2 contexts without a line (evaluated as empty lists, e.g. 7#4, d2#1); ` +
      '2 lines match no context (ignored, e.g. lines 2, 3); 2 names are not catalog items (dropped, e.g. "Nope", "Nada"); ' +
      '1 repeated names (later copies dropped)',
  );
  const clean = file('clean.jsonl', [
    { dialog_id: 'd1', turn_id: 2, items: ['Movie 0'] },
    { dialog_id: 7, turn_id: 4, items: [] },
    { dialog_id: 'd2', turn_id: 1, items: ['Movie 1'] },
  ]);
  const read = await readPredictions(clean, contexts, catalog);
  assert.equal(describePredictionsReport(read.report), `${clean}: 3 lines, 3 contexts matched`);
});

test('the predictions file of one seed among several: .seed-N before the extension, after the name when it has none', () => {
  assert.equal(predictionsFileOf('runs/p.jsonl', 42, 1), 'runs/p.jsonl');
  assert.equal(predictionsFileOf('runs/p.jsonl', 42, 0), 'runs/p.jsonl');
  assert.equal(predictionsFileOf('runs/p.jsonl', 42, 3), 'runs/p.seed-42.jsonl');
  assert.equal(predictionsFileOf('runs/p.v2.jsonl', 7, 2), 'runs/p.v2.seed-7.jsonl');
  // A dot in a folder name or a leading dot is no extension.
  assert.equal(predictionsFileOf('runs/a.b/p', 7, 2), 'runs/a.b/p.seed-7');
  assert.equal(predictionsFileOf('runs\\a.b\\p', 7, 2), 'runs\\a.b\\p.seed-7');
  assert.equal(predictionsFileOf('runs/.p', 7, 2), 'runs/.p.seed-7');
  assert.equal(predictionsFileOf('.p', 7, 2), '.p.seed-7');
  assert.equal(predictionsFileOf('p.x', 7, 2), 'p.seed-7.x');
});
