import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedScore, parseMultiScoreAnswer, parseScoreAnswer } from '../../src/augment/parse-score.js';
import { buildRepairMessages, buildScoreMessages, quoteData } from '../../src/augment/prompt.js';

/** The score, or the problem's name. */
const parse = (text: string, finish: 'stop' | 'length' = 'stop') => {
  const parsed = parseScoreAnswer(text, finish);
  return parsed.ok ? parsed.score : parsed.problem;
};

describe('parseScoreAnswer', () => {
  test('takes the last "Score: N" of the answer', () => {
    assert.deepEqual(parseScoreAnswer('Score: 3', 'stop'), { ok: true, score: 3, offset: 7 });
    const quoting = 'The user said "Score: 4" but wants horror.\nScore: 1';
    assert.deepEqual(parseScoreAnswer(quoting, 'stop'), { ok: true, score: 1, offset: quoting.length - 1 });
    assert.equal(parse('**Score:** 2'), 2);
    assert.equal(parse('relevance score = 0'), 0);
    assert.deepEqual(parseScoreAnswer(' 4 ', 'stop'), { ok: true, score: 4, offset: 1 });
  });
  test('rejects numbers outside the integers 0-4', () => {
    for (const text of ['Score: 5', 'Score: -1', 'Score: 3.5', 'Score: 10', '7'])
      assert.equal(parse(text), 'out-of-range', text);
  });
  test('reads the JSON answers chat models give (response_format json_object), also in a code fence', () => {
    const json = '{"score": 3, "reason": "A light comedy, as asked."}';
    assert.deepEqual(parseScoreAnswer(json, 'stop'), { ok: true, score: 3, offset: json.indexOf('3') });
    const fenced = '```json\n{\n  "reason": "A light comedy.",\n  "score": 4\n}\n```';
    const parsed = parseScoreAnswer(fenced, 'stop');
    assert.ok(parsed.ok && parsed.score === 4 && fenced[parsed.offset] === '4', JSON.stringify(parsed));
    assert.equal(parse('{"Score": "2"}'), 2);
    assert.equal(parse('```\n{"score":0}\n```'), 0);
    assert.equal(parse('{"reason": "the user wrote Score: 4 but hates horror", "score": 1}'), 1);
    assert.equal(parse('Here is my judgment: {"score": 2, "reason": "partly"}'), 2);
    assert.equal(parse('{"score": 7}'), 'out-of-range');
    assert.equal(parse('{"score": 3.5}'), 'out-of-range');
    assert.equal(parse('{"score": null, "reason": "unsure"}'), 'no-score');
    assert.equal(parse('{"reason": "fits well"', 'length'), 'truncated');
  });
  test('no score: truncated when cut by the token limit, otherwise no-score', () => {
    assert.equal(parse('The user wants a', 'length'), 'truncated');
    assert.equal(parse('It fits quite well.'), 'no-score');
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
    // A digit after the score ("(1995)") must not be taken for it: the parse's offset picks the right token.
    const text = 'Score: 3\n(1995)';
    const spelled = [
      ...logprobs,
      ...['\n(', '199', '5', ')'].map((token) => ({
        token,
        logprob: -0.1,
        top: [{ token: '4', logprob: -0.1 }],
      })),
    ];
    const parsed = parseScoreAnswer(text, 'stop');
    assert.ok(parsed.ok);
    assert.ok(Math.abs(expectedScore(spelled, parsed.offset)! - (3 * 0.6 + 4 * 0.3) / 0.9) < 1e-12);
    assert.equal(expectedScore(spelled), 4);
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
  test('the JSON format asks for one JSON object, also in the repair turn', () => {
    const single = buildScoreMessages('User: hi', [{ id: 1, text: 'Up (2009)' }], 'reason', 'json');
    assert.match(
      single[1]!.content,
      /one JSON object and nothing else: \{"reason": "<one short sentence>", "score": N\}/,
    );
    assert.doesNotMatch(single[1]!.content, /Score: N/);
    const multi = buildScoreMessages(
      'User: hi',
      [
        { id: 1, text: 'A' },
        { id: 2, text: 'B' },
      ],
      'direct',
      'json',
    );
    assert.match(multi[1]!.content, /\{"scores": \[\{"id": <candidate id>, "score": <0-4>\}/);
    const repair = buildRepairMessages(single, 'maybe', 'no score', 'direct', 'json');
    assert.match(repair[3]!.content, /\{"score": N\}/);
  });
});
