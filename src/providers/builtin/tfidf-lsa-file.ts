import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../../engine/checkpoint/safetensors.js';
import { hashValue } from '../../util/hash.js';
import { TfidfLsa, type TfidfLsaOptions } from './tfidf-lsa.js';

/** Bumped whenever the fitted model or its file changes meaning, so older files are never read. */
export const TFIDF_LSA_FORMAT = 'crsaug-tfidf-lsa/1';

/** Subfolder of the cache folder holding fitted builtin embedders. */
export const FITTED_MODELS_DIR = 'builtin-embedder';

/** Content hash of everything a fit depends on: the format, the texts and the options (not `silent`). */
export function tfidfLsaFingerprint(texts: readonly string[], options: TfidfLsaOptions): string {
  return hashValue({ format: TFIDF_LSA_FORMAT, texts, options: { ...options, silent: undefined } });
}

export interface OpenedTfidfLsa {
  model: TfidfLsa;
  /** 'loaded': read from a file an earlier fit saved; 'fitted': computed now (and saved when a folder is given). */
  source: 'loaded' | 'fitted';
  file?: string;
}

/**
 * The fitted TF-IDF/LSA model for these texts and options: loaded from `dir` when a fit with the same
 * fingerprint was saved there, else fitted and saved. The file is safetensors (the projection as F32 [terms
 * × dimensions]; vocabulary and idf in the metadata, as JSON, which round-trips doubles exactly), written to
 * a temporary name and renamed, so a killed writer leaves no file under the final name. A file that does
 * not read back is refitted over.
 */
export async function openTfidfLsa(
  texts: string[],
  options: TfidfLsaOptions,
  dir: string | undefined,
  fingerprint = tfidfLsaFingerprint(texts, options),
): Promise<OpenedTfidfLsa> {
  if (!dir) return { model: TfidfLsa.fit(texts, options), source: 'fitted' };
  const file = join(dir, `tfidf-lsa-${fingerprint}.safetensors`);
  if (existsSync(file)) {
    try {
      const model = await readTfidfLsa(file, fingerprint);
      if (!options.silent) process.stderr.write(`builtin tfidf-lsa: loaded the fitted model ${file}\n`);
      return { model, source: 'loaded', file };
    } catch (error) {
      process.stderr.write(
        `builtin tfidf-lsa: refitting, ${file} did not read back (${(error as Error).message})\n`,
      );
    }
  }
  const model = TfidfLsa.fit(texts, options);
  await writeTfidfLsa(file, model, fingerprint);
  return { model, source: 'fitted', file };
}

export async function writeTfidfLsa(file: string, model: TfidfLsa, fingerprint: string): Promise<void> {
  const { terms, idf, projection, dimensions } = model.parts();
  await writeSafetensors(
    file,
    new Map([['projection', { shape: [terms.length, dimensions], data: projection }]]),
    {
      format: TFIDF_LSA_FORMAT,
      fingerprint,
      terms: JSON.stringify(terms),
      idf: JSON.stringify(Array.from(idf)),
    },
  );
}

export async function readTfidfLsa(file: string, fingerprint: string): Promise<TfidfLsa> {
  const { tensors, metadata } = await readSafetensors(file);
  if (metadata.format !== TFIDF_LSA_FORMAT)
    throw new Error(`format ${metadata.format}, expected ${TFIDF_LSA_FORMAT}`);
  if (metadata.fingerprint !== fingerprint) throw new Error('fingerprint does not match its name');
  const projection = tensors.get('projection');
  if (projection?.shape.length !== 2) throw new Error('no [terms × dimensions] projection');
  return TfidfLsa.fromParts({
    terms: JSON.parse(metadata.terms ?? 'null') as string[],
    idf: Float64Array.from(JSON.parse(metadata.idf ?? 'null') as number[]),
    projection: projection.data,
    dimensions: projection.shape[1]!,
  });
}
