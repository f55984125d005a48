import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';

function withFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-keys-'));
  writeFileSync(join(dir, 'crsaug.config.json'), JSON.stringify(content));
  return dir;
}

test('an unknown key in the config file is an error naming its path, the file and the nearest valid key', () => {
  const cases: [unknown, RegExp][] = [
    [
      { augment: { synthesize: { threshhold: 2 } } },
      /unknown config key "augment\.synthesize\.threshhold" in .*crsaug\.config\.json; did you mean "augment\.synthesize\.threshold"\?/,
    ],
    [{ augment: { score: { concurency: 4 } } }, /did you mean "augment\.score\.concurrency"/],
    [{ provders: { chat: {} } }, /unknown config key "provders".*did you mean "providers"/],
    // inside a record: the price of one model
    [
      { providers: { prices: { 'gpt-4o': { inputPerMilion: 1, outputPerMillion: 2 } } } },
      /"providers\.prices\.gpt-4o\.inputPerMilion".*did you mean "providers\.prices\.gpt-4o\.inputPerMillion"/,
    ],
    // a backbone section of the model table
    [{ train: { kbrd: { dimm: 8 } } }, /did you mean "train\.kbrd\.dim"/],
  ];
  for (const [content, message] of cases) {
    const dir = withFile(content);
    assert.throws(() => resolveConfig({ cwd: dir, env: {} }), message);
  }
});

test('a key nothing resembles gets the valid keys of its level as the hint', () => {
  const dir = withFile({ eval: { zzzzzzzz: 1 } });
  assert.throws(
    () => resolveConfig({ cwd: dir, env: {} }),
    (err: Error & { hint?: string }) =>
      /unknown config key "eval\.zzzzzzzz"/.test(err.message) &&
      !/did you mean/.test(err.message) &&
      err.hint === 'valid keys there: ks, topK, judged, judge, simulate',
  );
});

test('an unknown CRSAUG_ variable is an error naming the nearest one; CRSAUG_TEST_ is the test suite’s, CRSAUG_SERVE_TOKEN serve’s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-keys-'));
  assert.throws(
    () => resolveConfig({ cwd: dir, env: { CRSAUG_LLM_MODLE: 'gemma2:9b' } }),
    /unknown environment variable CRSAUG_LLM_MODLE; did you mean CRSAUG_LLM_MODEL\?/,
  );
  assert.equal(resolveConfig({ cwd: dir, env: { CRSAUG_TEST_SCORE_URL: 'x' } }).seed, 42);
  // Regression: serve's token is read outside the config, and a command run with it set must not refuse it.
  assert.equal(resolveConfig({ cwd: dir, env: { CRSAUG_SERVE_TOKEN: 'secret' } }).seed, 42);
  assert.throws(
    () => resolveConfig({ cwd: dir, env: { CRSAUG_SERVE_TOKN: 'secret' } }),
    /did you mean CRSAUG_SERVE_TOKEN\?/,
  );
});

test('an unknown key from the flags layer is an error too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-keys-'));
  const flags = { augment: { retrieve: { topk: 10 } } } as unknown as ConfigInput;
  assert.throws(
    () => resolveConfig({ cwd: dir, env: {}, flags }),
    /unknown config key "augment\.retrieve\.topk" from the command-line flags; did you mean "augment\.retrieve\.topK"/,
  );
});

test('keys that moved name their new place (an older run folder’s config.resolved.json)', () => {
  const dir = withFile({ run: { seeds: 5, syntheticLabelMode: 'per-label' } });
  assert.throws(() => resolveConfig({ cwd: dir, env: {} }), /"run\.seeds" .* has moved to train\.seeds/);
  assert.throws(
    () => resolveConfig({ cwd: withFile({ train: { lr: 0.01 } }), env: {} }),
    /"train\.lr" .* has moved to train\.<backbone>\.lr/,
  );
});

test('the resolved config has one owner per setting and records the learning rate of every backbone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-keys-'));
  const config = resolveConfig({ cwd: dir, env: {} });
  const run = config.run as Record<string, unknown>;
  const train = config.train as unknown as Record<string, unknown>;
  assert.equal(run.seeds, undefined);
  assert.equal(run.syntheticLabelMode, undefined);
  assert.equal(train.lr, undefined);
  assert.equal(config.train.seeds, 3);
  assert.equal(config.train.labelMode, 'multi-positive');
  assert.deepEqual(
    [config.train.kbrd.lr, config.train.text.lr, config.train.embedHead.lr],
    [1e-3, 1e-3, 1e-2],
  );
  // the saved resolved config is a valid config file again
  const again = withFile(config);
  assert.deepEqual(resolveConfig({ cwd: again, env: {} }), config);
});
