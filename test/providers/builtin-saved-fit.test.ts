import assert from 'node:assert/strict';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';
import { FITTED_MODELS_DIR, tfidfLsaFingerprint } from '../../src/providers/builtin/tfidf-lsa-file.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { createEmbeddingModel } from '../../src/providers/factory.js';
import { inspiredTexts } from './inspired-texts.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'crsaug-saved-fit-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const { itemTexts, split } = inspiredTexts();
// A slice of INSPIRED keeps each fit under a second; the saving and loading do not depend on the size.
const fitTexts = [
  ...itemTexts.slice(0, 600),
  ...split('train')
    .slice(0, 400)
    .map((c) => c.context.join(' ')),
];
const probe = split('test')
  .slice(0, 40)
  .map((c) => c.context.join(' '));
// No result cache: every open has to embed, so it has to fit or load the model.
const providers = ProvidersConfigSchema.parse({ embedding: { dimensions: 48 }, cache: false });

/** Opens the builtin embedder as the pipeline stages do, embeds the probe texts, reports how it got the model. */
async function openAndEmbed(texts = fitTexts, seed = 7) {
  const opened = await createEmbeddingModel(providers, { cacheDir, fitTexts: texts, seed });
  try {
    const { embeddings } = await embedMany(opened.model, probe);
    assert.ok(opened.model instanceof TfidfLsaEmbedder);
    return {
      bytes: Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength),
      source: opened.model.fitSource,
    };
  } finally {
    opened.close();
  }
}

const modelFiles = () => readdirSync(join(cacheDir, FITTED_MODELS_DIR)).sort();

test('the builtin embedder is fitted once per texts and settings; later opens load it and embed bit for bit alike', async () => {
  const first = await openAndEmbed();
  assert.equal(first.source, 'fitted');
  const files = modelFiles();
  assert.equal(files.length, 1, `one saved model and no temporary file: ${files}`);
  assert.match(files[0]!, /^tfidf-lsa-[0-9a-f]{64}\.safetensors$/);

  const second = await openAndEmbed();
  assert.equal(second.source, 'loaded');
  assert.ok(second.bytes.equals(first.bytes), 'loaded model gives the same vectors, bit for bit');
  assert.ok(first.bytes.some((b) => b !== 0));

  // Other settings or other texts are another model: fitted and saved beside the first, never confused with it.
  assert.equal((await openAndEmbed(fitTexts, 8)).source, 'fitted');
  assert.equal((await openAndEmbed(fitTexts.slice(1))).source, 'fitted');
  assert.equal(modelFiles().length, 3);
});

test('a saved model cut short (a killed writer, a full disk) is refitted over, never read half', async () => {
  const reference = await openAndEmbed();
  const fingerprint = tfidfLsaFingerprint(fitTexts, { dimensions: 48, seed: 7 });
  const file = join(cacheDir, FITTED_MODELS_DIR, `tfidf-lsa-${fingerprint}.safetensors`);
  const whole = readFileSync(file);
  truncateSync(file, Math.floor(whole.length / 2));
  // A leftover temporary file of a killed writer sits beside it and must be ignored.
  writeFileSync(`${file}.tmp-999999`, whole.subarray(0, 100));
  const refitted = await openAndEmbed();
  assert.equal(refitted.source, 'fitted');
  assert.ok(refitted.bytes.equals(reference.bytes));
  assert.equal(statSync(file).size, whole.length, 'the refit saved a whole model again');
  assert.equal((await openAndEmbed()).source, 'loaded');
});
