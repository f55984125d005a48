import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { downloadFiles, fetchDataset, mirroredUrl } from '../../src/data/fetch.js';
import { INSPIRED_SOURCES, REDIAL_SOURCES, type RemoteFile } from '../../src/data/fetch-sources.js';
import { loadDataset, pairsOf } from '../../src/data/index.js';
import { sha256 } from '../../src/util/hash.js';
import { makeZip, serveFiles } from './http-fixture.js';

const dataDir = resolveDataDir(undefined).dir;
const quiet = { log: () => {} };
const tmp = () => mkdtempSync(join(tmpdir(), 'crsaug-fetch-'));

/** Mirror paths of a dataset's sources, served from the shared data (byte-identical to the official files). */
function mirrorRoutes(sources: RemoteFile[], bodyOf: (remote: RemoteFile) => Buffer): Map<string, Buffer> {
  return new Map(sources.map((s) => [new URL(mirroredUrl(s.url, 'http://m')).pathname, bodyOf(s)]));
}

test('an unreachable server fails with a message naming the URL and the cause', async () => {
  const dir = tmp();
  const closed = await serveFiles(new Map());
  await closed.close(); // nothing listens on its port any more
  try {
    await assert.rejects(
      fetchDataset('inspired', { dataDir: dir, mirror: closed.url, ...quiet }),
      (err: Error & { hint?: string }) => {
        assert.match(
          err.message,
          /could not download http:\/\/127\.0\.0\.1:\d+\/raw\.githubusercontent\.com\/.*ECONNREFUSED/,
        );
        assert.match(err.hint!, /--data-dir/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an HTTP 404 fails with the status', async () => {
  const server = await serveFiles(new Map());
  const dir = tmp();
  try {
    await assert.rejects(fetchDataset('redial', { dataDir: dir, mirror: server.url, ...quiet }), /HTTP 404/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a checksum mismatch writes nothing and says which file', async () => {
  const server = await serveFiles(new Map([['/a.json', Buffer.from('{"tampered": true}')]]));
  const dir = tmp();
  try {
    const remote = { url: `${server.url}/a.json`, target: 'a.json', sha256: sha256('{"original": true}') };
    await assert.rejects(
      downloadFiles([remote], dir, quiet),
      /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/a\.json/,
    );
    assert.equal(existsSync(join(dir, 'a.json')), false);
    const ok = await downloadFiles([{ ...remote, sha256: sha256('{"tampered": true}') }], dir, quiet);
    assert.equal(ok[0]!.verified, true);
    assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), '{"tampered": true}');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fetching INSPIRED from a mirror verifies checksums and yields a loadable dataset', async () => {
  const shared = join(dataDir, 'inspired');
  // train.tsv is not on this machine: a slice of dev.tsv stands in for it (its checksum is unknown anyway).
  const trainStandIn = Buffer.from(
    readFileSync(join(shared, 'raw', 'dev.tsv'), 'utf8')
      .split('\n')
      .slice(0, 400)
      .join('\n'),
  );
  const routes = mirrorRoutes(INSPIRED_SOURCES, (s) =>
    s.target === 'raw/train.tsv' ? trainStandIn : readFileSync(join(shared, s.target)),
  );
  const server = await serveFiles(routes);
  const root = tmp();
  try {
    const result = await fetchDataset('inspired', { dataDir: root, mirror: server.url, ...quiet });
    assert.deepEqual(
      result.files.filter((f) => !f.verified).map((f) => f.file),
      [join(root, 'inspired', 'raw', 'train.tsv')],
    );
    assert.equal(server.requests.length, INSPIRED_SOURCES.length);
    for (const split of ['valid', 'test']) {
      assert.ok(
        readFileSync(join(root, 'inspired', `${split}_data_processed.jsonl`)).equals(
          readFileSync(join(shared, `${split}_data_processed.jsonl`)),
        ),
      );
    }
    const ds = await loadDataset('inspired', { dataDir: root });
    assert.equal(pairsOf(ds.splits.test!.contexts, ds.catalog).length, 161);
    assert.ok(ds.splits.train!.contexts.length > 0);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('fetching ReDial unzips the official archive and builds train without valid or test dialogues', async () => {
  const shared = join(dataDir, 'redial');
  // The official train_data.jsonl is not on this machine: 500 real train dialogues stand in for it.
  const zip = makeZip([
    { name: 'train_data.jsonl', data: readFileSync(join(shared, 'raw', 'train_subset_500.jsonl')) },
    { name: 'test_data.jsonl', data: readFileSync(join(shared, 'raw', 'test_data.jsonl')) },
    { name: 'movies_with_mentions.csv', data: readFileSync(join(shared, 'raw', 'movies_with_mentions.csv')) },
  ]);
  const routes = mirrorRoutes(REDIAL_SOURCES, (s) =>
    s.entries ? zip : readFileSync(join(shared, s.target)),
  );
  const server = await serveFiles(routes);
  const root = tmp();
  try {
    const result = await fetchDataset('redial', { dataDir: root, mirror: server.url, ...quiet });
    const unverified = result.files.filter((f) => !f.verified).map((f) => f.url.replace(/^.*\//, ''));
    assert.deepEqual(unverified, ['redial_dataset.zip!train_data.jsonl']);
    assert.ok(
      readFileSync(join(root, 'redial', 'valid_data_processed.jsonl')).equals(
        readFileSync(join(shared, 'valid_data_processed.jsonl')),
      ),
    );
    const ds = await loadDataset('redial', { dataDir: root, cacheDir: join(root, 'cache') });
    assert.equal(existsSync(join(root, 'cache')), false); // the fetched train file is read, nothing converted on load
    const trainIds = new Set(ds.splits.train!.contexts.map((c) => c.dialogId));
    const validIds = new Set(ds.splits.valid!.contexts.map((c) => c.dialogId));
    assert.ok(trainIds.size > 400);
    assert.ok([...trainIds].every((id) => !validIds.has(id)));
    assert.equal(pairsOf(ds.splits.valid!.contexts, ds.catalog).length, 3318);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a zip without an expected entry lists what it has', async () => {
  const zip = makeZip([{ name: 'readme.txt', data: Buffer.from('hi') }]);
  const server = await serveFiles(new Map([['/r.zip', zip]]));
  const dir = tmp();
  try {
    const remote = {
      url: `${server.url}/r.zip`,
      target: '',
      entries: [{ name: 'train_data', target: 't.jsonl' }],
    };
    await assert.rejects(downloadFiles([remote], dir, quiet), (err: Error & { hint?: string }) => {
      assert.match(err.message, /has no entry named train_data/);
      assert.match(err.hint!, /readme\.txt/);
      return true;
    });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
