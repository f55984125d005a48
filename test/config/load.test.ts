import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { learningRate } from '../../src/config/train.js';

test('defaults < config file < env < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cfg-'));
  writeFileSync(
    join(dir, 'crsaug.config.json'),
    JSON.stringify({ seed: 1, dataset: 'redial', eval: { topK: 50 } }),
  );
  const fromFile = resolveConfig({ cwd: dir, env: {} });
  assert.equal(fromFile.seed, 1);
  assert.equal(fromFile.dataset, 'redial');
  assert.equal(fromFile.eval.topK, 50);
  assert.deepEqual(fromFile.eval.ks, [1, 5, 10, 25, 50]);

  const fromEnv = resolveConfig({ cwd: dir, env: { CRSAUG_SEED: '7' } });
  assert.equal(fromEnv.seed, 7);

  const fromFlags = resolveConfig({
    cwd: dir,
    env: { CRSAUG_SEED: '7' },
    flags: { seed: 9, dataset: undefined },
  });
  assert.equal(fromFlags.seed, 9);
  assert.equal(fromFlags.dataset, 'redial');
});

test('invalid values name the config path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cfg-'));
  assert.throws(() => resolveConfig({ cwd: dir, env: {}, flags: { seed: -1 } }), /invalid config at "seed"/);
  assert.throws(
    () => resolveConfig({ cwd: dir, env: { CRSAUG_SEED: 'abc' } }),
    /CRSAUG_SEED must be a number/,
  );
});

test('CRSAUG_LLM_* and CRSAUG_EMBED_* select the configured providers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cfg-'));
  const config = resolveConfig({
    cwd: dir,
    env: {
      CRSAUG_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      CRSAUG_LLM_MODEL: 'gemma2:9b',
      CRSAUG_EMBED_BASE_URL: 'http://127.0.0.1:8080/v1',
      CRSAUG_EMBED_MODEL: 'gritlm',
      CRSAUG_EMBED_API_KEY: 'k',
    },
  });
  assert.equal(config.providers.chat.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.equal(config.providers.chat.model, 'gemma2:9b');
  assert.equal(config.providers.embedding.baseUrl, 'http://127.0.0.1:8080/v1');
  assert.equal(config.providers.embedding.model, 'gritlm');
  assert.equal(config.providers.embedding.apiKey, 'k');
});

test('each backbone section records the learning rate it trains with: its default unless set at any layer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cfg-'));
  const kbrd = resolveConfig({ cwd: dir, env: {} });
  assert.equal(kbrd.train.kbrd.lr, 1e-3);
  assert.equal(kbrd.train.embedHead.lr, 1e-2);
  assert.equal(learningRate(kbrd.train), 1e-3);
  assert.equal(learningRate({ ...kbrd.train, model: 'embed-head' }), 1e-2);
  const flagged = resolveConfig({
    cwd: dir,
    env: {},
    flags: { train: { model: 'embed-head', embedHead: { lr: 3e-3 } } },
  });
  assert.equal(learningRate(flagged.train), 3e-3);
  assert.equal(flagged.train.kbrd.lr, 1e-3);
});
