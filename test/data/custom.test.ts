import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset, pairsOf } from '../../src/data/index.js';

/** The example of docs/custom-dataset.md: a tiny book shop. */
function writeBookShop(dir: string): void {
  const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'bookshop', description: 'three books' }));
  writeFileSync(
    join(dir, 'items.jsonl'),
    jsonl([
      {
        name: 'Dune',
        description: 'Desert planet epic.',
        year: 1965,
        genres: ['sci-fi'],
        writers: ['Frank Herbert'],
      },
      {
        name: 'Emma',
        description: 'A matchmaker meddles.',
        genres: ['romance'],
        fields: { author: 'Jane Austen' },
      },
      { name: 'Neuromancer', genres: ['sci-fi', 'cyberpunk'] },
    ]),
  );
  writeFileSync(
    join(dir, 'kg.jsonl'),
    jsonl([
      { head: 'Dune', relation: 'genre', tail: 'sci-fi' },
      { head: 'Neuromancer', relation: 'genre', tail: 'sci-fi' },
      { head: 'Emma', relation: 'author', tail: 'Jane Austen' },
    ]),
  );
  writeFileSync(
    join(dir, 'test.jsonl'),
    jsonl([
      {
        dialog_id: 'd1',
        turn_id: 1,
        context: ['I loved Dune, any other sci-fi?'],
        entity: ['Dune', 'sci-fi'],
        rec: ['Neuromancer', 'Dune', 'Unknown Book'],
        resp: 'Try Neuromancer.',
      },
      {
        dialog_id: 'd2',
        turn_id: 1,
        context: ['', 'Hi!', 'Something by Jane Austen?'],
        entity: ['Jane Austen', 'Persuasion'],
        rec: ['Emma'],
      },
    ]),
  );
}

test('a custom dataset folder loads through the same code as the registry datasets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-custom-'));
  try {
    writeBookShop(dir);
    const ds = await loadDataset(dir);
    assert.equal(ds.name, 'bookshop');
    assert.deepEqual(Object.keys(ds.splits), ['test']);
    assert.deepEqual(
      ds.catalog.items.map((i) => i.name),
      ['Dune', 'Emma', 'Neuromancer'],
    );
    assert.equal(ds.catalog.items[0]!.year, 1965);
    assert.equal(ds.catalog.items[0]!.plot, 'Desert planet epic.');
    assert.deepEqual(ds.catalog.items[1]!.extra, { author: ['Jane Austen'] });
    assert.deepEqual(ds.catalog.entityNames, ['Dune', 'Emma', 'Neuromancer', 'sci-fi', 'Jane Austen']);
    assert.deepEqual(ds.kg.relations, ['genre', 'author']);
    assert.equal(ds.kg.heads.length, 3);
    const test = ds.splits.test!;
    // Dune is already in the context, so only Neuromancer is a target; the unknown title is counted.
    assert.deepEqual(test.contexts[0]!.gold, [2]);
    assert.equal(test.unknownRecNames, 1);
    assert.equal(test.unknownEntityNames, 1); // Persuasion
    assert.equal(pairsOf(test.contexts, ds.catalog).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad custom item names file, line and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-custom-'));
  try {
    writeFileSync(join(dir, 'items.jsonl'), '{"name": "A"}\n{"name": "B", "genres": "drama"}\n');
    await assert.rejects(loadDataset(dir), /items\.jsonl:2: field "genres"/);
    writeFileSync(join(dir, 'items.jsonl'), '{"name": "A"}\n{"name": "A"}\n');
    await assert.rejects(loadDataset(dir), /items\.jsonl:2: field "name": duplicate item name "A"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
