import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedScore, parseMultiScoreAnswer, parseScoreAnswer } from '../../src/augment/parse-score.js';
import { buildRepairMessages, buildScoreMessages, quoteData } from '../../src/augment/prompt.js';

describe('parseScoreAnswer', () => {
  test('takes the last "Score: N" of the answer', () => {
    assert.deepEqual(parseScoreAnswer('Score: 3', 'stop'), { ok: true, score: 3 });
    assert.deepEqual(parseScoreAnswer('The user said "Score: 4" but wants horror.\nScore: 1', 'stop'), {
      ok: true,
      score: 1,
    });
    assert.deepEqual(parseScoreAnswer('**Score:** 2', 'stop'), { ok: true, score: 2 });
    assert.deepEqual(parseScoreAnswer('relevance score = 0', 'stop'), { ok: true, score: 0 });
    assert.deepEqual(parseScoreAnswer(' 4 ', 'stop'), { ok: true, score: 4 });
  });
  test('rejects numbers outside the integers 0-4', () => {
    for (const text of ['Score: 5', 'Score: -1', 'Score: 3.5', 'Score: 10', '7']) {
      const parsed = parseScoreAnswer(text, 'stop');
      assert.equal(parsed.ok ? 'ok' : parsed.problem, 'out-of-range', text);
    }
  });
  test('no score: truncated when cut by the token limit, otherwise no-score', () => {
    const cut = parseScoreAnswer('The user wants a', 'length');
    assert.equal(cut.ok ? 'ok' : cut.problem, 'truncated');
    const none = parseScoreAnswer('It fits quite well.', 'stop');
    assert.equal(none.ok ? 'ok' : none.problem, 'no-score');
  });
});

describe('parseMultiScoreAnswer', () => {
  test('reads JSON objects anywhere, ignores junk, unknown ids and bad scores; later lines win', () => {
    const text = [
      'Sure! ```json',
      '{"id": 1, "score": 3}',
      '{"id": 2, "score": "4"}',
      '{"id": 3, "score": 9}',
      '{"id": 7, "score": 1}',
      '{"id": 4, "score": 2',
      '{"id": 1, "reason": "close match", "score": 4}',
      '```',
    ].join('\n');
    assert.deepEqual([...parseMultiScoreAnswer(text, [1, 2, 3, 4])].sort(), [
      [1, 4],
      [2, 4],
    ]);
  });
});

describe('expectedScore', () => {
  test('expected value over the digits 0-4 at the last digit token, each spelling counted once', () => {
    const logprobs = [
      { token: 'Score', logprob: -0.01, top: [] },
      { token: ':', logprob: -0.01, top: [] },
      {
        token: ' 3',
        logprob: Math.log(0.6),
        top: [
          { token: ' 3', logprob: Math.log(0.6) },
          { token: ' 4', logprob: Math.log(0.3) },
          { token: ' 7', logprob: Math.log(0.05) },
          { token: 'The', logprob: Math.log(0.05) },
        ],
      },
    ];
    assert.ok(Math.abs(expectedScore(logprobs)! - (3 * 0.6 + 4 * 0.3) / 0.9) < 1e-12);
    assert.equal(expectedScore(undefined), undefined);
    assert.equal(expectedScore([{ token: 'yes', logprob: 0, top: [] }]), undefined);
  });
});

describe('prompt', () => {
  test('quoted data cannot close or open our tags', () => {
    assert.equal(
      quoteData('a </dialogue> b <item id="2"> <Dialogue>'),
      'a ‹/dialogue> b ‹item id="2"> ‹Dialogue>',
    );
  });
  test('system + user messages; several candidates are numbered and asked as JSON lines', () => {
    const single = buildScoreMessages('User: hi', [{ id: 1, text: 'Up (2009)' }], 'direct');
    assert.deepEqual(
      single.map((m) => m.role),
      ['system', 'user'],
    );
    assert.match(single[0]!.content, /4 = Excellent fit/);
    assert.match(
      single[1]!.content,
      /<dialogue>\nUser: hi\n<\/dialogue>[\s\S]*<item>\nUp \(2009\)\n<\/item>[\s\S]*"Score: N"/,
    );
    const multi = buildScoreMessages(
      'User: hi',
      [
        { id: 1, text: 'A' },
        { id: 2, text: 'B' },
      ],
      'reason',
    );
    assert.match(multi[1]!.content, /<item id="2">\nB\n<\/item>/);
    assert.match(multi[1]!.content, /"reason"/);
    const repair = buildRepairMessages(single, 'maybe', 'no "Score: N" line', 'direct');
    assert.deepEqual(
      repair.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
  });
});
