import { basename, join } from 'node:path';
import { userCacheDir } from '../config/paths.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { CrsaugError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { loadJsonl } from '../util/jsonl.js';
import { convertInspiredTsvFile, convertLinkedFile, convertRedialRawFile } from './convert/files.js';
import { LinkedRedialDialogSchema } from './convert/linked.js';
import { RawRedialDialogSchema } from './convert/redial-raw.js';
import { INSPIRED_SOURCES, REDIAL_SOURCES, type RemoteFile } from './fetch-sources.js';
import { readZip } from './zip.js';

export type FetchableDataset = 'redial' | 'inspired';
export const FETCHABLE_DATASETS: readonly FetchableDataset[] = ['redial', 'inspired'];

export interface FetchOptions {
  /** Data root; the dataset lands in `<dataDir>/<name>/` (default: the user cache's data folder). */
  dataDir?: string;
  /**
   * Base URL of a mirror: each file is requested at `<mirror>/<host><path>` of its official URL
   * (e.g. a local copy served over HTTP where there is no internet access).
   */
  mirror?: string;
  /** Progress lines go here (default: stderr). */
  log?: (line: string) => void;
}

/** One file written by a fetch, and whether its checksum could be verified. */
export interface FetchedFile {
  file: string;
  url: string;
  sha256: string;
  verified: boolean;
}

export function mirroredUrl(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}`;
}

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new CrsaugError(`could not download ${url}: ${cause}`, {
      hint: 'no network access? download the files on another machine and pass --data-dir, or use --mirror',
    });
  }
  if (!response.ok) {
    throw new CrsaugError(
      `could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim(),
      {
        hint: 'the file may have moved; see docs/datasets.md for the sources',
      },
    );
  }
  return Buffer.from(await response.arrayBuffer());
}

function verify(
  bytes: Buffer,
  expected: string | undefined,
  what: string,
): { sha256: string; verified: boolean } {
  const actual = sha256(bytes);
  if (expected && actual !== expected) {
    throw new CrsaugError(`checksum mismatch for ${what}: expected sha256 ${expected}, got ${actual}`, {
      hint: 'the download is corrupt or the upstream file changed; nothing was written for it',
    });
  }
  return { sha256: actual, verified: expected !== undefined };
}

/**
 * Downloads files into `dir`, verifying every known sha256 before writing (a mismatch writes nothing for
 * that file and stops). Zip archives are kept in memory and only their listed entries are written.
 */
export async function downloadFiles(
  files: readonly RemoteFile[],
  dir: string,
  options: Pick<FetchOptions, 'mirror' | 'log'> = {},
): Promise<FetchedFile[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const written: FetchedFile[] = [];
  for (const remote of files) {
    const url = mirroredUrl(remote.url, options.mirror);
    log(`downloading ${url}`);
    const bytes = await download(url);
    const archive = verify(bytes, remote.sha256, url);
    if (!remote.entries) {
      await writeFileAtomic(join(dir, remote.target), bytes);
      written.push({ file: join(dir, remote.target), url, ...archive });
      continue;
    }
    const entries = readZip(bytes, url);
    for (const wanted of remote.entries) {
      const entry = entries.find((e) => basename(e.name).replace(/\.[^.]*$/, '') === wanted.name);
      if (!entry) {
        throw new CrsaugError(`${url} has no entry named ${wanted.name}`, {
          hint: `entries: ${entries.map((e) => e.name).join(', ')}`,
        });
      }
      const content = entry.read();
      const check = verify(content, wanted.sha256, `${url}!${entry.name}`);
      await writeFileAtomic(join(dir, wanted.target), content);
      written.push({ file: join(dir, wanted.target), url: `${url}!${entry.name}`, ...check });
    }
  }
  return written;
}

/**
 * `crsaug data fetch`: downloads a dataset's official release plus the CFCRS/iEvaLM KG files and turns it
 * into the layout loadDataset reads (`<dataDir>/<name>/`).
 * - redial: valid = CFCRS linked valid → processed (exact); test = iEvaLM processed test; train = the
 *   official train minus the CFCRS valid ids and any test id, raw → linked → processed (approximate links).
 * - inspired: valid/test = CFCRS linked → processed (exact); train = official train.tsv → linked → processed.
 */
export async function fetchDataset(
  name: FetchableDataset,
  options: FetchOptions = {},
): Promise<{ dir: string; files: FetchedFile[]; converted: string[] }> {
  const dir = join(options.dataDir ?? join(userCacheDir(), 'data'), name);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const files = await downloadFiles(name === 'redial' ? REDIAL_SOURCES : INSPIRED_SOURCES, dir, {
    ...options,
    log,
  });
  const converted = name === 'redial' ? await buildRedial(dir) : await buildInspired(dir);
  for (const file of converted) log(`wrote ${file}`);
  return { dir, files, converted };
}

async function buildInspired(dir: string): Promise<string[]> {
  const out = (f: string) => join(dir, f);
  await convertInspiredTsvFile(out('raw/train.tsv'), out('train_data.jsonl'), dir);
  for (const split of ['train', 'valid', 'test']) {
    await convertLinkedFile(out(`${split}_data.jsonl`), out(`${split}_data_processed.jsonl`), 'inspired');
  }
  return ['train_data.jsonl', ...['train', 'valid', 'test'].map((s) => `${s}_data_processed.jsonl`)].map(out);
}

async function buildRedial(dir: string): Promise<string[]> {
  const out = (f: string) => join(dir, f);
  await convertLinkedFile(out('valid_data.jsonl'), out('valid_data_processed.jsonl'), 'redial');
  const heldOut = new Set<string>();
  for (const { value } of await loadJsonl(out('valid_data.jsonl'), LinkedRedialDialogSchema)) {
    heldOut.add(String(value.conversationId));
  }
  for (const { value } of await loadJsonl(out('raw/test_data.jsonl'), RawRedialDialogSchema)) {
    heldOut.add(String(value.conversationId));
  }
  await convertRedialRawFile(
    out('raw/train_data.jsonl'),
    out('train_data.jsonl'),
    dir,
    (id) => !heldOut.has(id),
  );
  await convertLinkedFile(out('train_data.jsonl'), out('train_data_processed.jsonl'), 'redial');
  return ['valid_data_processed.jsonl', 'train_data.jsonl', 'train_data_processed.jsonl'].map(out);
}
