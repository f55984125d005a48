import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const deterministic = configure({ deterministic: true });

/**
 * JSON with object keys sorted, so equal values always hash equally (safe-stable-stringify; the same text as
 * JSON.stringify with sorted keys, so artifact keys made before it are unchanged).
 */
export function stableStringify(value: unknown): string {
  return deterministic(value) ?? 'undefined';
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content hash of any JSON-able value (key order does not matter). */
export function hashValue(value: unknown): string {
  return sha256(stableStringify(value));
}
