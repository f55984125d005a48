import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { CLI } from '../eval/run-cli.js';
import { MockOpenAIServer } from '../providers/mock-openai-server.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-secrets-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI without blocking this process, whose mock server must answer it. */
function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output: stdout + stderr })),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile());
}

/** Every secret found in the files under `dirs` and in `output`, as "secret in place". */
function leaks(secrets: string[], dirs: string[], output: string): string[] {
  const found: string[] = [];
  for (const file of dirs.flatMap(filesUnder)) {
    const bytes = readFileSync(file);
    for (const secret of secrets) if (bytes.includes(secret)) found.push(`${secret} in ${file}`);
  }
  for (const secret of secrets) if (output.includes(secret)) found.push(`${secret} in the output`);
  return found;
}

test('crsaug run writes no API key or URL credential anywhere, and a new key recomputes no stage', async () => {
  const mock = await MockOpenAIServer.start();
  try {
    const [, port] = /:(\d+)\//.exec(mock.url)!;
    const out = join(root, 'run');
    const cacheDir = join(root, 'cache');
    const configFile = join(root, 'crsaug.config.json');
    // The keys come from the environment, as users give them; URL and header credentials from the file.
    writeFileSync(
      configFile,
      JSON.stringify({
        dataset: 'inspired',
        cacheDir,
        train: { epochs: 1, seeds: 1 },
        run: { stage1Epochs: 1, examples: 2, teacherContexts: 8, teacherPairsPerContext: 4 },
        providers: {
          chat: { model: 'mock-judge', headers: { 'x-api-key': 'HEADER-SECRET-7' } },
          embedding: {
            baseUrl: `http://url-user:URL-SECRET-5@127.0.0.1:${port}/v1?api_key=QUERY-SECRET-6`,
            model: 'mock-embedder',
          },
        },
      }),
    );
    const keys = (n: number) => ({
      CRSAUG_LLM_BASE_URL: mock.url,
      CRSAUG_LLM_API_KEY: `sk-chat-secret-${n}`,
      CRSAUG_EMBED_API_KEY: `sk-embed-secret-${n}`,
    });
    const first = await runCli(['run', '--config', configFile, '--out', out], keys(1));
    assert.equal(first.code, 0, first.output);

    // The keys were used: every call carried them.
    const chat = mock.answered('/chat/completions');
    const embed = mock.answered('/embeddings');
    assert.ok(chat.length > 0 && embed.length > 0);
    assert.ok(chat.every((r) => r.headers.authorization === 'Bearer sk-chat-secret-1'));
    assert.ok(chat.every((r) => r.headers['x-api-key'] === 'HEADER-SECRET-7'));
    assert.ok(embed.every((r) => r.headers.authorization === 'Bearer sk-embed-secret-1'));
    assert.ok(embed.every((r) => r.query === 'api_key=QUERY-SECRET-6'));

    const secrets = [
      'sk-chat-secret-1',
      'sk-embed-secret-1',
      'URL-SECRET-5',
      'QUERY-SECRET-6',
      'HEADER-SECRET-7',
    ];
    assert.deepEqual(leaks(secrets, [out, cacheDir], first.output), []);
    const resolved = JSON.parse(readFileSync(join(out, 'config.resolved.json'), 'utf8'));
    assert.equal(resolved.providers.chat.apiKey, '***', 'a set key shows as "***"');
    assert.equal(resolved.providers.chat.headers['x-api-key'], '***');
    assert.match(
      resolved.providers.embedding.baseUrl,
      /^http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/v1\?api_key=\*\*\*$/,
    );

    const calls = mock.requests.length;
    const second = await runCli(['run', '--config', configFile, '--out', out], keys(2));
    assert.equal(second.code, 0, second.output);
    assert.doesNotMatch(second.output, /computing/, 'changing only the keys recomputes no stage');
    assert.match(second.output, /retrieve: reusing/);
    assert.equal(mock.requests.length, calls, 'and calls nothing');
    assert.deepEqual(leaks(['sk-chat-secret-2', 'sk-embed-secret-2'], [out, cacheDir], second.output), []);
  } finally {
    await mock.close();
  }
});
