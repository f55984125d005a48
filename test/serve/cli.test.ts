import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from '../eval/run-cli.js';
import { tempDir } from '../train/helpers.js';

test('crsaug serve refuses a non-loopback address without a token, and a missing runs folder', () => {
  const open = spawnSync(process.execPath, [CLI, 'serve', '--host', '0.0.0.0'], {
    encoding: 'utf8',
    env: { ...process.env, CRSAUG_SERVE_TOKEN: '' },
  });
  assert.equal(open.status, 1);
  assert.match(open.stderr, /--host 0\.0\.0\.0 .*token/);
  assert.match(open.stderr, /CRSAUG_SERVE_TOKEN/);
  const missing = spawnSync(
    process.execPath,
    [CLI, 'serve', '--runs', join(tempDir('serve-cli'), 'nothing')],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /runs folder .* does not exist/);
});

test('crsaug serve prints its address, takes the token from the environment and stops on SIGTERM', async () => {
  const runs = join(tempDir('serve-cli'), 'runs');
  mkdirSync(runs);
  const token = 'cli-token-0123456789';
  const child = spawn(process.execPath, [CLI, 'serve', '--runs', runs, '--port', '0'], {
    env: { ...process.env, CRSAUG_SERVE_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /crsaug serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  assert.match(out, /none yet: run `npm start`/);
  assert.doesNotMatch(out, new RegExp(token), 'the token is never printed');
  assert.equal((await fetch(`${url}/v1/runs`)).status, 401);
  const listed = await fetch(`${url}/v1/runs`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await listed.json(), { runs: [] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
