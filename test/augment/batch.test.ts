import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readScores } from '../../src/augment/artifacts.js';
import { exportScoreBatch, importScoreBatch, pairsSidecar } from '../../src/augment/batch.js';
import { scorePairs } from '../../src/augment/score.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import type { Dataset } from '../../src/data/types.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { CACHE_FILE_NAME, createChatModel, createEmbeddingModel } from '../../src/providers/factory.js';
import { ProviderCacheStore } from '../../src/providers/middleware/cache-store.js';
import {
  type BatchLine,
  exportEmbeddingBatch,
  importEmbeddingBatch,
} from '../../src/providers/openai-compatible/batch.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { chatAnswer, mockVector, type RecordedRequest } from '../providers/mock-openai-server.js';
import { fixturePairs, mockScoringBed, testScoreConfig } from './score-fixture.js';

const bed = mockScoringBed('crsaug-batch-');
const startMock = bed.startMock;
let dataset: Dataset;
let dir: string;
before(async () => {
  ({ dataset, dir } = await bed.open());
});

/** What a batch runner does: POST each line's body to its url, and write OpenAI's output line format. */
async function runBatch(
  batchFile: string,
  outputFile: string,
  baseUrl: string,
  failIndex = -1,
): Promise<void> {
  const lines = readFileSync(batchFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BatchLine);
  const out: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === failIndex) {
      out.push({
        id: `batch_req_${i}`,
        custom_id: line.custom_id,
        response: null,
        error: { code: 'server_error', message: 'boom' },
      });
      continue;
    }
    const response = await fetch(baseUrl.replace(/\/v1$/, '') + line.url, {
      method: line.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(line.body),
    });
    out.push({
      id: `batch_req_${i}`,
      custom_id: line.custom_id,
      response: { status_code: response.status, request_id: `r${i}`, body: await response.json() },
      error: null,
    });
  }
  // Batch outputs come in any order.
  await writeJsonl(outputFile, out.reverse());
}

const judge = (r: RecordedRequest) => {
  const content = (r.body.messages as { content: string }[])[1]!.content;
  if (content.includes('Candidate items'))
    return { status: 200, json: chatAnswer('{"id": 1, "score": 4}\n{"id": 2, "score": 1}') };
  return { status: 200, json: chatAnswer('Score: 2') };
};

describe('OpenAI Batch API files', () => {
  test('score requests: export, run, import into the scores file and the cache (a later online run pays only for the failed request)', async () => {
    const mock = await startMock(judge);
    const pairs = fixturePairs(dataset, 3, 3);
    const config = testScoreConfig({ candidatesPerCall: 2 });
    const requests = new ScoreRequests(dataset, config);
    const batchFile = join(dir, 'score.batch.jsonl');
    const exported = await exportScoreBatch({
      requests,
      pairs,
      config,
      model: 'mock-judge',
      file: batchFile,
    });
    const lines = readFileSync(batchFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BatchLine);
    // 3 contexts × (a call of 2 + a call of 1); output budget 3 × (2 × 16 + 8).
    assert.deepEqual(
      { ...exported, estimatedInputTokens: 0 },
      { requests: 6, pairs: 9, estimatedInputTokens: 0, maxOutputTokens: 120 },
    );
    const chars = lines.reduce(
      (n, l) => n + (l.body.messages as { content: string }[]).reduce((m, x) => m + x.content.length, 0),
      0,
    );
    assert.equal(exported.estimatedInputTokens, Math.ceil(chars / 4));
    assert.deepEqual(Object.keys(lines[0]!).sort(), ['body', 'custom_id', 'method', 'url']);
    assert.equal(lines[0]!.url, '/v1/chat/completions');
    assert.equal(lines[0]!.body.model, 'mock-judge');
    assert.equal(new Set(lines.map((l) => l.custom_id)).size, 6);
    assert.equal(readFileSync(pairsSidecar(batchFile), 'utf8').trim().split('\n').length, 6);

    const outputFile = join(dir, 'score.output.jsonl');
    await runBatch(batchFile, outputFile, mock.url, 0);
    const scoresFile = join(dir, 'batch.scores.jsonl');
    const cache = new ProviderCacheStore(join(dir, 'cache', CACHE_FILE_NAME));
    const summary = await importScoreBatch({
      batchFile,
      outputFile,
      scoresFile,
      model: 'mock-judge',
      config,
      cache,
    });
    cache.close();
    assert.deepEqual(
      [summary.responses, summary.failedResponses, summary.valid, summary.invalid],
      [6, 1, 7, 2],
    );
    const scores = await readScores(scoresFile);
    assert.equal(scores.size, 9);
    const failed = [...scores.values()].filter((s) => !s.valid);
    assert.ok(failed.every((s) => /batch request failed/.test(s.error!)));

    // Online scoring of the same pairs through the cache: only the two failed pairs reach the server.
    const before = mock.requests.length;
    const providers = ProvidersConfigSchema.parse({ chat: { baseUrl: mock.url, model: 'mock-judge' } });
    const chat = await createChatModel(providers, { cacheDir: join(dir, 'cache') });
    const online = await scorePairs({
      model: chat.model,
      requests,
      pairs,
      config,
      scoresFile: join(dir, 'online.scores.jsonl'),
      silent: true,
    });
    chat.close();
    await mock.close();
    assert.equal(online.valid, 9);
    assert.equal(mock.requests.length - before, 1);
    const onlineScores = await readScores(join(dir, 'online.scores.jsonl'));
    for (const [key, record] of scores)
      if (record.valid) assert.equal(onlineScores.get(key)?.score, record.score);
  });

  test('embedding requests: export, run, import into the cache; the embedder then sends nothing', async () => {
    const mock = await startMock();
    const texts = dataset.catalog.items.slice(0, 10).map((i) => i.name);
    const batchFile = join(dir, 'embed.batch.jsonl');
    const exported = await exportEmbeddingBatch([{ name: 'items', texts }], {
      model: 'mock-embed',
      perRequest: 4,
      file: batchFile,
    });
    assert.deepEqual(exported, { requests: 3, texts: 10 });
    const outputFile = join(dir, 'embed.output.jsonl');
    await runBatch(batchFile, outputFile, mock.url);
    const cache = new ProviderCacheStore(join(dir, 'embed-cache', CACHE_FILE_NAME));
    const imported = await importEmbeddingBatch({ batchFile, outputFile, cache, model: 'mock-embed' });
    cache.close();
    assert.deepEqual(imported, { responses: 3, vectors: 10, failedResponses: 0 });
    const sent = mock.requests.length;
    const providers = ProvidersConfigSchema.parse({ embedding: { baseUrl: mock.url, model: 'mock-embed' } });
    const embedder = await createEmbeddingModel(providers, { cacheDir: join(dir, 'embed-cache') });
    const result = await embedMany(embedder.model, texts);
    embedder.close();
    await mock.close();
    assert.equal(mock.requests.length, sent);
    assert.deepEqual(
      Array.from(result.embeddings.subarray(0, 8)),
      Array.from(Float32Array.from(mockVector(texts[0]!))),
    );
  });
});
