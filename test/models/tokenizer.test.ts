import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learnVocabulary, SYSTEM_ID, splitWords, Tokenizer, USER_ID } from '../../src/models/tokenizer.js';

test('words: lower-cased letters/digits runs and single punctuation marks', () => {
  assert.deepEqual(splitWords('I loved Amélie (2001)!'), ['i', 'loved', 'amélie', '(', '2001', ')', '!']);
});

test('vocabulary: by count, ties alphabetical, min count and size respected, deterministic', () => {
  const texts = ['b a a c', 'a b d', 'e'];
  assert.deepEqual(learnVocabulary(texts, 10, 1), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(learnVocabulary(texts, 2, 1), ['a', 'b']);
  assert.deepEqual(learnVocabulary(texts, 10, 2), ['a', 'b']);
});

test('known words get one id; unknown words share hashed trigram ids', () => {
  const tok = new Tokenizer(['movie', 'a'], 64);
  const [movie] = tok.encode('movie');
  assert.equal(movie, 3);
  const unknown = tok.encode('inception');
  // "<inception>" has 9 trigrams, each in the bucket range after the vocabulary.
  assert.equal(unknown.length, 9);
  assert.ok(unknown.every((id) => id >= 5 && id < tok.size));
  assert.deepEqual(tok.encode('inception'), unknown);
  assert.deepEqual(new Tokenizer(['movie'], 0).encode('inception movie'), [3]);
});

test('dialogue encoding: role tokens and per-token roles, truncation keeps the most recent tokens', () => {
  const tok = new Tokenizer(['hi', 'there', 'any', 'movie'], 0);
  const full = tok.encodeDialogue(['hi', 'hi there', 'any movie'], 100);
  assert.deepEqual(full.ids, [USER_ID, 3, SYSTEM_ID, 3, 4, USER_ID, 5, 6]);
  assert.deepEqual(full.roles, [0, 0, 1, 1, 1, 0, 0, 0]);
  const cut = tok.encodeDialogue(['hi', 'hi there', 'any movie'], 4);
  assert.deepEqual(cut.ids, [4, USER_ID, 5, 6]);
  assert.deepEqual(cut.roles, [1, 0, 0, 0]);
});
