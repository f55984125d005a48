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
