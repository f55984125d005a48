// Issue 13: what the integrity check at open costs the provider cache (PRAGMA quick_check reads every page).
// Caches of embedding vectors (1536-d, OpenAI's text-embedding-3-small) plus one teacher call per ten vectors,
// measured opening cold (the check runs), and reopened by the same process after a close (the check is skipped).
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderCacheStore } from '../../src/providers/middleware/cache-store.js';
import { hashValue } from '../../src/util/hash.js';
import { table } from '../report.js';

const DIMS = 1536;
const VECTORS = [20_000, 80_000, 160_000];
const REPEATS = 3;

function fill(file: string, vectors: number): void {
  const store = new ProviderCacheStore(file);
  const vector = new Float32Array(DIMS).fill(0.5);
  for (let start = 0; start < vectors; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, vectors - start) }, (_, i) => ({
      key: hashValue(['vector', start + i]),
      vector,
    }));
    store.writeVectors(batch, 'openai-compatible', 'text-embedding-3-small');
  }
  for (let i = 0; i < vectors / 10; i++) {
    store.writeCall(hashValue(['call', i]), 'openai-compatible', 'gpt-4o-mini', {
      text: 'Score: 3',
      usage: { inputTokens: 420, outputTokens: 3 },
      finishReason: 'stop',
    });
  }
  store.close();
}

/** Milliseconds to open and close the store. */
function openMs(file: string): number {
  const start = performance.now();
  new ProviderCacheStore(file).close();
  return performance.now() - start;
}

export async function cacheCheck(): Promise<string> {
  const rows: (string | number)[][] = [];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const vectors of VECTORS) {
    const dir = mkdtempSync(join(tmpdir(), 'crsaug-cache-check-'));
    try {
      const file = join(dir, 'providers.sqlite');
      fill(file, vectors);
      const mb = statSync(file).size / 1e6;
      const first: number[] = [];
      const again: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        // This process filled and closed `file`, so it would skip the check: open copies it has never seen.
        const copy = join(dir, `copy-${r}.sqlite`);
        copyFileSync(file, copy);
        first.push(openMs(copy));
        again.push(openMs(copy));
        rmSync(copy);
      }
      rows.push([
        vectors.toLocaleString('en'),
        mb.toFixed(0),
        median(first).toFixed(0),
        (median(first) / mb).toFixed(2),
        median(again).toFixed(1),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return [
    `Median of ${REPEATS} opens of a fresh copy (in the OS page cache, as a cache a run just wrote); ${DIMS}-d`,
    'vectors plus one chat answer per ten vectors.',
    '',
    table(
      ['vectors', 'file MB', 'first open ms (quick_check)', 'ms per MB', 'reopen ms (check skipped)'],
      rows,
    ),
  ].join('\n');
}

if (process.argv[1]?.endsWith('cache-check.js')) process.stdout.write(`${await cacheCheck()}\n`);
