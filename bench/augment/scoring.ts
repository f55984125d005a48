// Issue 4b: teacher-scoring throughput against the mock OpenAI-compatible server at a fixed latency and a
// concurrency cap: achieved pairs/s as a share of the cap's ceiling (cap / latency), and our overhead per call.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scorePairs } from '../../src/augment/score.js';
import { type ScorePair, ScoreRequests } from '../../src/augment/score-request.js';
import { ScoreConfigSchema } from '../../src/config/augment.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { createChatModel } from '../../src/providers/factory.js';
import { chatRequestBody } from '../../src/providers/openai-compatible/chat.js';
import { postJson } from '../../src/providers/openai-compatible/http.js';
import { table } from '../report.js';

const LATENCY_MS = 50;
const CAP = 8;
const PER_CONTEXT = 10;
const TARGET = 0.95;

interface Measured {
  cache: boolean;
  calls: number;
  valid: number;
  seconds: number;
  pairsPerSecond: number;
  maxInFlight: number;
  /** CPU time of this process (the scorer alone: the server runs in a child) per call. */
  cpuMsPerCall: number;
}

/** The mock server in a child process (mock-server-child.ts), answering after LATENCY_MS. */
async function startMockChild() {
  const child = fork(join(import.meta.dirname, 'mock-server-child.js'), [String(LATENCY_MS)]);
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  return {
    url,
    /** Stops the server and returns what it saw. */
    async finish(): Promise<{ calls: number; maxInFlight: number }> {
      child.send('stats');
      const [stats] = (await once(child, 'message')) as [{ calls: number; maxInFlight: number }];
      return stats;
    },
    kill: () => child.kill(),
  };
}

async function scoreOnce(dataset: Dataset, pairs: ScorePair[], cache: boolean): Promise<Measured> {
  const mock = await startMockChild();
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-score-'));
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: mock.url, model: 'mock-judge', maxRetries: 0, concurrency: CAP },
    cache,
  });
  const chat = await createChatModel(providers, { cacheDir: join(dir, 'cache'), stage: 'score' });
  const config = ScoreConfigSchema.parse({ concurrency: CAP });
  let stats: { calls: number; maxInFlight: number } | undefined;
  try {
    const cpu = process.cpuUsage();
    const summary = await scorePairs({
      model: chat.model,
      requests: new ScoreRequests(dataset, config),
      pairs,
      config,
      scoresFile: join(dir, 'bench.scores.jsonl'),
      silent: true,
    });
    const used = process.cpuUsage(cpu);
    stats = await mock.finish();
    return {
      cache,
      calls: stats.calls,
      valid: summary.valid,
      seconds: summary.seconds,
      pairsPerSecond: summary.pairsPerSecond,
      maxInFlight: stats.maxInFlight,
      cpuMsPerCall: (used.user + used.system) / 1000 / stats.calls,
    };
  } finally {
    chat.close();
    if (!stats) mock.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same calls without the scorer: CAP loops that only POST one scoring request body through our HTTP
 * client and wait for the answer. What this reaches is the most any scorer can on this machine and server.
 */
async function transportFloor(body: unknown, calls: number): Promise<Measured> {
  const mock = await startMockChild();
  let stats: { calls: number; maxInFlight: number } | undefined;
  try {
    const endpoint = { baseUrl: mock.url, timeoutMs: 60_000 };
    let left = calls;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CAP }, async () => {
        while (left-- > 0) await postJson(endpoint, 'chat/completions', body);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    stats = await mock.finish();
    return {
      cache: false,
      calls: stats.calls,
      valid: Number.NaN,
      seconds,
      pairsPerSecond: stats.calls / seconds,
      maxInFlight: stats.maxInFlight,
      cpuMsPerCall: (used.user + used.system) / 1000 / stats.calls,
    };
  } finally {
    if (!stats) mock.kill();
  }
}

export async function scoring(): Promise<string> {
  const dataset = await loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir, splits: ['test'] });
  const contexts = dataset.splits.test!.contexts.filter((c) => c.utterances.length > 0);
  const pairs = contexts.flatMap((c) =>
    Array.from({ length: PER_CONTEXT }, (_, i) => ({
      dialogId: c.dialogId,
      turnId: c.turnId,
      item: dataset.catalog.items[i]!.name,
      rank: i + 1,
    })),
  );
  const ceiling = CAP / (LATENCY_MS / 1000);
  const row = (label: string, m: Measured) => {
    const share = m.pairsPerSecond / ceiling;
    // Each of the CAP slots spends seconds·CAP/calls per call; what is above the server's latency is ours.
    const perCallMs = (m.seconds * 1000 * CAP) / m.calls;
    return [
      label,
      m.calls,
      Number.isNaN(m.valid) ? '–' : m.valid,
      m.seconds.toFixed(2),
      m.pairsPerSecond.toFixed(1),
      // Two decimals, so a share just under the target never reads as "95.0 % (misses by 0.0 points)".
      `${(share * 100).toFixed(2)} %${share >= TARGET ? ' (meets)' : ` (misses by ${((TARGET - share) * 100).toFixed(2)} points)`}`,
      perCallMs.toFixed(1),
      `${(perCallMs - LATENCY_MS).toFixed(1)} ms`,
      m.cpuMsPerCall.toFixed(2),
      m.maxInFlight,
    ];
  };
  const rows = [];
  for (const cache of [true, false]) {
    rows.push(row(cache ? 'on (fresh SQLite file)' : 'off', await scoreOnce(dataset, pairs, cache)));
  }
  const body = chatRequestBody(
    'mock-judge',
    new ScoreRequests(dataset, ScoreConfigSchema.parse({})).request([pairs[0]!]),
  );
  rows.push(row('no scorer: raw HTTP loop (the floor)', await transportFloor(body, pairs.length)));
  return [
    `${pairs.length} pairs (${contexts.length} INSPIRED test contexts × ${PER_CONTEXT} items), one pair per call ` +
      `(candidatesPerCall 1), mock server (a child process, as a real server is elsewhere) answering after ${LATENCY_MS} ms, ` +
      `score.concurrency = providers.chat.concurrency = ${CAP}: ceiling ${ceiling.toFixed(0)} pairs/s. ` +
      'Every answer is appended to a fresh scores file; with the cache on, every call is also a miss written to SQLite. ' +
      'The overhead per call is ms per call − the server latency (wall time: it grows when other jobs take the cores); ' +
      'the scorer CPU per call is this process’s CPU time over the run divided by the calls (the part that does not depend on the machine’s load). ' +
      'The last row sends the same number of calls (one scoring request body, repeated) through our HTTP client alone, ' +
      'CAP loops with no scorer, cache or file: the most any scorer can reach against this server on this machine at this moment.',
    '',
    table(
      [
        'provider cache',
        'calls',
        'valid',
        'seconds',
        'pairs/s',
        'share of ceiling (target ≥ 95 %)',
        'ms per call',
        'overhead per call',
        'scorer CPU ms per call',
        'max in flight at server',
      ],
      rows,
    ),
  ].join('\n');
}
