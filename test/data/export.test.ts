import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exportSynthetic } from '../../src/data/export/formats.js';
import { type SyntheticFolder, writeSyntheticFolder } from '../../src/data/export/synthetic-folder.js';
import type { Dataset } from '../../src/data/types.js';
import { loadInspired } from '../train/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let dataset: Dataset;
let synthetic: SyntheticFolder;
const producer = { version: 'test', command: 'crsaug export (test)' };

/** Three train contexts of INSPIRED with made-up synthetic labels (the names are catalog items). */
before(async () => {
  dataset = await loadInspired();
  const items = dataset.catalog.items;
  const lines = dataset.splits.train!.contexts.slice(0, 3).map((c, i) => ({
    dialog_id: c.dialogId,
    turn_id: c.turnId,
    context: c.utterances,
    entity: c.entities.map((e) => dataset.catalog.entityNames[e]!),
    rec: [items[i]!.name, items[i + 10]!.name],
    scores: [3.9, 3.6],
  }));
  const file = join(dir, 'labels.jsonl');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  synthetic = await writeSyntheticFolder(join(dir, 'run'), file, {
    dataset: 'inspired',
    split: 'train',
    file: 'train.synthetic.jsonl',
    threshold: 3.5,
    topK: 50,
    scorer: 'student: feature MLP',
    providers: [
      { role: 'embedder', id: 'builtin:tfidf-lsa', description: 'offline lexical embedder' },
      { role: 'teacher', id: 'shared:judgments', description: 'shipped LLM judgments' },
    ],
    contexts: 3,
    contextsWithLabels: 3,
    labels: 6,
    source: 'Hayati et al., EMNLP 2020 (no explicit license)',
    createdAt: '2026-12-03T00:00:00Z',
  });
});

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('the run folder holds the labels under a stable name', () => {
  assert.equal(synthetic.file, join(dir, 'run', 'synthetic', 'train.synthetic.jsonl'));
  assert.equal(readLines(synthetic.file).length, 3);
});

test('cfcrs: the processed format with the response of each turn, rec = the synthetic labels best first', async () => {
  const result = await exportSynthetic('cfcrs', { synthetic, dataset, producer }, join(dir, 'cfcrs'));
  const lines = readLines(result.files[0]!);
  const first = dataset.splits.train!.contexts[0]!;
  assert.deepEqual(Object.keys(lines[0]).sort(), [
    'context',
    'dialog_id',
    'entity',
    'rec',
    'resp',
    'scores',
    'turn_id',
  ]);
  assert.equal(lines[0].resp, first.response);
  assert.deepEqual(lines[0].context, first.utterances);
  assert.deepEqual(lines[0].rec, [dataset.catalog.items[0]!.name, dataset.catalog.items[10]!.name]);
});

test('hf: data/train.jsonl and a dataset card whose YAML header names the licence, size and data file', async () => {
  const result = await exportSynthetic('hf', { synthetic, dataset, producer }, join(dir, 'hf'));
  assert.deepEqual(
    result.files.map((f) => f.slice(join(dir, 'hf').length + 1)),
    ['data/train.jsonl', 'README.md'],
  );
  const card = readFileSync(join(dir, 'hf', 'README.md'), 'utf8');
  const [, header, body] = card.split(/^---$/m);
  for (const line of ['license: other', '- n<1K', '    path: data/train.jsonl', 'source_datasets:'])
    assert.ok(header!.split('\n').includes(line), line);
  for (const fact of [
    'score ≥ 3.5',
    'builtin:tfidf-lsa',
    'shared:judgments',
    'student: feature MLP',
    '| synthetic labels | 6 |',
    'no explicit license',
  ])
    assert.ok(body!.includes(fact), fact);
});

/** CRSLab's InspiredDataset._convert_to_id and _augment_and_add, by name instead of id (standard library only). */
const CRSLAB_LOADER = `
import json, sys
from copy import copy
folder = sys.argv[1]
entity2id = json.load(open(folder + '/entity2id.json'))
out = {}
for split in ['train', 'valid', 'test']:
    samples = []
    for conversation in json.load(open(folder + '/' + split + '_data.json')):
        convs, last_role = [], None
        for utt in conversation['dialog']:
            movies = [m for m in utt['movies'] if m in entity2id]
            entities = [e for e in utt['entity'] if e in entity2id]
            if utt['role'] == last_role:
                convs[-1]['movie'] += movies; convs[-1]['entity'] += entities; convs[-1]['text'] += utt['text']
            else:
                convs.append({'role': utt['role'], 'text': utt['text'], 'entity': entities, 'movie': movies})
            last_role = utt['role']
        context_tokens, context_entities, entity_set = [], [], set()
        for conv in convs:
            if len(context_tokens) > 0 and conv['role'] == 'Recommender' and conv['movie']:
                samples.append({'id': conversation['conv_id'], 'items': conv['movie'], 'entities': copy(context_entities)})
            context_tokens.append(conv['text'])
            for e in conv['entity'] + conv['movie']:
                if e not in entity_set:
                    entity_set.add(e); context_entities.append(e)
    out[split] = samples
print(json.dumps(out))
`;

test('crslab: read the way CRSLab reads it, each train context predicts its synthetic labels from its own entities', async () => {
  const folder = join(dir, 'crslab');
  await exportSynthetic('crslab', { synthetic, dataset, producer }, folder);
  const samples = JSON.parse(execFileSync('python3', ['-c', CRSLAB_LOADER, folder], { encoding: 'utf8' }));
  const train = dataset.splits.train!.contexts.slice(0, 3);
  assert.deepEqual(
    samples.train.map((s: { id: string; items: string[] }) => [s.id, s.items]),
    train.map((c, i) => [
      `${c.dialogId}#${c.turnId}`,
      [dataset.catalog.items[i]!.name, dataset.catalog.items[i + 10]!.name],
    ]),
  );
  const firstEntities = [...new Set(train[0]!.entities.map((e) => dataset.catalog.entityNames[e]))];
  assert.deepEqual(samples.train[0].entities, firstEntities);
  // valid and test keep the real labels: one sample per context with a gold item left after removal
  assert.equal(samples.test.length, dataset.splits.test!.contexts.filter((c) => c.gold.length > 0).length);
  const tokens = JSON.parse(readFileSync(join(folder, 'token2id.json'), 'utf8'));
  assert.deepEqual([tokens.__pad__, tokens.__start__, tokens.__end__, tokens.__unk__], [0, 1, 2, 3]);
  const kg = readFileSync(join(folder, 'dbpedia_subkg.txt'), 'utf8').trim().split('\n');
  assert.equal(kg.length, dataset.kg.heads.length);
  assert.equal(kg[0]!.split('\t').length, 3);
});
