import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../../src/data/types.js';
import { CACHE_FILE_NAME } from '../../../src/providers/factory.js';
import { ProviderCacheStore } from '../../../src/providers/middleware/cache-store.js';
import { hashValue } from '../../../src/util/hash.js';
import {
  chatAnswer,
  MockOpenAIServer,
  type MockScript,
  type RecordedRequest,
} from '../../providers/mock-openai-server.js';
import { startChild } from '../../util/child-process.js';
import { loadInspiredForSimulation, runLlmSimulation, simulatedContexts } from './llm-fixture.js';

let dataset: Dataset;
let dir: string;
const servers: MockOpenAIServer[] = [];
before(async () => {
  dataset = await loadInspiredForSimulation();
  dir = mkdtempSync(join(tmpdir(), 'crsaug-llm-sim-'));
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
const startMock = async (script: MockScript) => {
  const mock = await MockOpenAIServer.start(script);
  servers.push(mock);
  return mock;
};

type Messages = { role: string; content: string }[];
const messagesOf = (r: RecordedRequest) => r.body.messages as Messages;
const answer = (text: string) => ({ status: 200, json: chatAnswer(text) });

// The first INSPIRED test context with a gold item wants Deadpool (2016).
const deadpool = () => simulatedContexts(dataset, 1);

test('a leaking answer is rejected and re-asked; the persona never holds the title', async () => {
  assert.deepEqual(dataset.splits.test!.contexts[deadpool()[0]!]!.recNames, ['Deadpool (2016)']);
  const mock = await startMock((r) =>
    messagesOf(r).length === 2
      ? answer('Have you got Deadpool?')
      : answer("No, I'd love something with Ryan Reynolds in it."),
  );
  const result = await runLlmSimulation(dataset, {
    url: mock.url,
    cacheDir: join(dir, 'leak'),
    contexts: deadpool(),
    turns: 2,
  });
  assert.equal(mock.requests.length, 2);
  const [turn1, turn2] = result.transcripts[0]!.turns;
  assert.equal(turn1!.user, "No, I'd love something with Ryan Reynolds in it.");
  assert.equal(turn1!.rejected, 1);
  assert.deepEqual(turn1!.entities, ['Ryan Reynolds']);
  assert.equal(turn1!.fallback, undefined);
  assert.equal(turn2!.user, undefined, 'no feedback after the last recommendation');
  assert.equal(result.rejectedAnswers, 1);
  // The re-ask quotes the rejected answer and says why.
  const reask = messagesOf(mock.requests[1]!);
  assert.deepEqual(reask.slice(0, 2), messagesOf(mock.requests[0]!));
  assert.deepEqual(reask[2], { role: 'assistant', content: 'Have you got Deadpool?' });
  assert.match(reask[3]!.content, /names the movie \("deadpool"\)/);
  // The persona: attributes and a redacted plot, never the title; the last dialogue line is the recommendation.
  const [system, user] = messagesOf(mock.requests[0]!);
  const movie = /<movie>\n([\s\S]*)\n<\/movie>/.exec(system!.content)![1]!;
  assert.match(movie, /Starring: Ryan Reynolds/);
  assert.match(movie, /Directed by: Tim Miller/);
  assert.match(movie, /alter ego …/);
  assert.doesNotMatch(movie, /deadpool/i);
  assert.match(system!.content, /Never use these words either: "deadpool"/);
  assert.match(user!.content, /Recommender: How about [^\n]+\?\n<\/dialogue>/);
});

test('when every answer leaks, its leaking sentences are dropped, or a fallback is said', async () => {
  const partly = await startMock(() => answer('I want Deadpool. Something funny, please.'));
  const kept = await runLlmSimulation(dataset, {
    url: partly.url,
    cacheDir: join(dir, 'partly'),
    contexts: deadpool(),
    turns: 2,
    maxAttempts: 2,
  });
  assert.equal(partly.requests.length, 2);
  assert.deepEqual(
    [kept.transcripts[0]!.turns[0]!.user, kept.transcripts[0]!.turns[0]!.rejected, kept.fallbacks],
    ['Something funny, please.', 2, 1],
  );
  const wholly = await startMock(() => answer('DEADPOOL!'));
  const fallback = await runLlmSimulation(dataset, {
    url: wholly.url,
    cacheDir: join(dir, 'wholly'),
    contexts: deadpool(),
    turns: 2,
    maxAttempts: 2,
  });
  assert.equal(fallback.transcripts[0]!.turns[0]!.user, "That's not what I'm looking for.");
  assert.equal(fallback.transcripts[0]!.turns[0]!.fallback, true);
});

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'llm-child.js');
const CONTEXTS = 6;
/** Deterministic answers; half of the first asks echo a forbidden title word, so re-asks happen too. */
const answerFor = (r: RecordedRequest) => {
  const messages = messagesOf(r);
  const word = /Never use these words either: "([^"]+)"/.exec(messages[0]!.content)?.[1];
  const pick = Number.parseInt(hashValue(r.body).slice(0, 6), 16);
  if (word && messages.length === 2 && pick % 2 === 0) return answer(`Is it the ${word} one?`);
  return answer(
    ['No, I want something scarier.', 'Not that one. Maybe a comedy?', 'No. Something with more action.'][
      pick % 3
    ]!,
  );
};

const runChild = (url: string, cacheDir: string, file: string) =>
  startChild(childScript, {
    CRSAUG_TEST_SIM_URL: url,
    CRSAUG_TEST_SIM_CACHE: cacheDir,
    CRSAUG_TEST_SIM_FILE: file,
    CRSAUG_TEST_SIM_CONTEXTS: String(CONTEXTS),
  });

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

test('a simulation killed with SIGKILL resumes without repeating an answered call, and ends as an uninterrupted run', async () => {
  const killAfter = 5;
  let answered = 0;
  const mock = await startMock((r) => (answered++ < killAfter ? answerFor(r) : { stallMs: 60_000 }));
  const cache = join(dir, 'kill-cache');
  const file = join(dir, 'kill.transcripts.jsonl');
  const first = runChild(mock.url, cache, file);
  // Wait until the child has cached `killAfter` answers (bounded, so a crashed child fails instead of hanging).
  const deadline = Date.now() + 60_000;
  const cached = () => {
    if (mock.answered('/chat/completions').length < killAfter || !existsSync(join(cache, CACHE_FILE_NAME)))
      return 0;
    const store = new ProviderCacheStore(join(cache, CACHE_FILE_NAME));
    try {
      return store.counts().calls;
    } finally {
      store.close();
    }
  };
  while (cached() < killAfter && first.child.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(mock.answered('/chat/completions').length, killAfter);

  mock.script = answerFor;
  const second = await runChild(mock.url, cache, file).exited;
  assert.equal(second.code, 0);
  const summary = JSON.parse(second.stdout) as { dialogues: number; rejectedAnswers: number };
  assert.equal(summary.dialogues, CONTEXTS);
  assert.ok(summary.rejectedAnswers > 0, 'the run re-asked some answers');
  // Every request the server answered, it answered once.
  const perBody = new Map<string, number>();
  for (const r of mock.answered('/chat/completions'))
    perBody.set(hashValue(r.body), (perBody.get(hashValue(r.body)) ?? 0) + 1);
  assert.ok(perBody.size > killAfter);
  assert.ok([...perBody.values()].every((n) => n === 1));

  // An uninterrupted run (fresh server and cache) writes the same transcripts.
  const fresh = await startMock(answerFor);
  const straightFile = join(dir, 'straight.transcripts.jsonl');
  const straight = await runChild(fresh.url, join(dir, 'straight-cache'), straightFile).exited;
  assert.equal(straight.code, 0);
  assert.equal(fresh.answered('/chat/completions').length, perBody.size);
  assert.deepEqual(new Set(lines(file)), new Set(lines(straightFile)));
  assert.equal(lines(file).length, CONTEXTS);

  // A third run finds every dialogue in the transcripts file and asks nothing.
  const asked = mock.requests.length;
  const third = await runChild(mock.url, cache, file).exited;
  assert.equal((JSON.parse(third.stdout) as { resumed: number }).resumed, CONTEXTS);
  assert.equal(mock.requests.length, asked);
});
