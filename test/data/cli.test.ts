import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { CLI, runCli, runCliJson } from '../eval/run-cli.js';
import { serveFiles } from './http-fixture.js';

const dataDir = resolveDataDir(undefined).dir;

test('crsaug data stats --json prints the known INSPIRED figures per split', () => {
  const stats = runCliJson(['data', 'stats', '--dataset', 'inspired', '--data-dir', dataDir]) as Record<
    string,
    Record<string, number>
  >;
  assert.deepEqual(Object.keys(stats), ['train', 'valid', 'test']);
  assert.equal(stats.test!.pairs, 161);
  assert.equal(stats.test!.contexts, 144);
  assert.equal(stats.test!.recTurns, 257);
  assert.equal(stats.valid!.pairs, 164);
  assert.equal(stats.valid!.nonItemPairs, 1);
  assert.equal(stats.test!.items, 1096);
  assert.equal(stats.test!.kgTriples, 8869);
  assert.equal(stats.test!.unknownRecNames, 98);
});

test('crsaug data stats --split test prints only that split, for ReDial the known figures', () => {
  const stats = runCliJson(['data', 'stats', '--dataset', 'redial', '--split', 'test']) as Record<
    string,
    Record<string, number>
  >;
  assert.deepEqual(Object.keys(stats), ['test']);
  assert.equal(stats.test!.pairs, 4036);
  assert.equal(stats.test!.contexts, 3102);
  assert.equal(stats.test!.dialogues, 1318);
  const table = runCli(['data', 'stats', '--dataset', 'redial', '--split', 'valid']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /about a third of the official train set/);
  assert.match(table.stdout, /\| redial +\| valid +\| +985 \| +2,716 \| +2,568 \| +3,318 \|/);
});

test('crsaug data convert linked reproduces the reference processed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cli-'));
  try {
    const out = join(dir, 'test.jsonl');
    const run = runCli([
      'data',
      'convert',
      'linked',
      join(dataDir, 'inspired', 'test_data.jsonl'),
      out,
      '--format',
      'inspired',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /wrote 257 rec-task samples/);
    assert.ok(readFileSync(out).equals(readFileSync(join(dataDir, 'inspired', 'test_data_processed.jsonl'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crsaug data fetch without network fails with a clear message and exit code 1', async () => {
  const server = await serveFiles(new Map());
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-cli-'));
  try {
    // Asynchronous child: a synchronous one would block this process's server from answering.
    const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, 'data', 'fetch', 'inspired', '--data-dir', dir, '--mirror', server.url],
        { timeout: 30_000 },
        (err, _stdout, stderr) => resolve({ status: err ? (err.code as number) : 0, stderr }),
      );
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /crsaug: could not download http:\/\/127\.0\.0\.1:\d+\/raw\.githubusercontent\.com\/.*: HTTP 404/,
    );
    assert.doesNotMatch(run.stderr, /at .*\.js:\d+/); // no stack trace
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crsaug data stats on an unknown dataset lists the registry', () => {
  const run = runCli(['data', 'stats', '--dataset', 'nope']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /unknown dataset "nope"/);
  assert.match(run.stderr, /opendialkg-books/);
});
