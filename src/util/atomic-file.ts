import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

let written = 0;

/**
 * The name a file is written under before it is renamed into place. Unique per process, thread and write:
 * seed workers of one process (pipeline/seed-pool.ts) may write the same file at once, and a shared temporary
 * name would let one rename the other's half-written bytes into place.
 */
export function tempPathFor(file: string): string {
  written++;
  return `${file}.tmp-${process.pid}-${threadId}-${written}`;
}

/**
 * Writes `file` atomically: `write` fills a temporary file beside it, which is then renamed over it, so a
 * killed writer never leaves half a file; a failed write leaves no temporary file behind.
 */
export async function writeAtomically(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** writeFile, atomically (writeAtomically). */
export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return writeAtomically(file, (tmp) => writeFile(tmp, data));
}
