import leven, { closestMatch } from 'leven';
import type { z } from 'zod';

/** A key the schema does not know, with the keys that are valid beside it. */
export interface UnknownKey {
  /** Dotted path of the unknown key, e.g. `augment.synthesize.threshhold`. */
  path: string;
  /** The valid key nearest to it by edit distance, as a dotted path; absent when none is close. */
  suggestion?: string;
  /** Every valid key at that level. */
  valid: string[];
}

/**
 * Keys of `value` that `schema` does not declare, anywhere in it: zod's objects strip unknown keys, so a typo
 * ("threshhold") would silently fall back to the default. Walks objects, records (their values), arrays and
 * the wrappers (default, prefault, optional, nullable) without changing the schemas themselves.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: string[] = []): UnknownKey[] {
  const def = unwrap(schema)._zod.def as ZodDef;
  if (def.type === 'object' && isPlainObject(value)) {
    const shape = def.shape!;
    const valid = Object.keys(shape);
    return Object.entries(value).flatMap(([key, child]) => {
      if (key in shape) return unknownKeys(shape[key]!, child, [...path, key]);
      const near = nearestKey(key, valid);
      return [
        {
          path: [...path, key].join('.'),
          suggestion: near === undefined ? undefined : [...path, near].join('.'),
          valid,
        },
      ];
    });
  }
  if (def.type === 'record' && isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, child]) =>
      unknownKeys(def.valueType!, child, [...path, key]),
    );
  }
  if (def.type === 'array' && Array.isArray(value)) {
    return value.flatMap((child, i) => unknownKeys(def.element!, child, [...path, String(i)]));
  }
  return [];
}

/** The candidate nearest to `key` when it is plausibly a typo of it (at most a third of its letters differ). */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  const near = closestMatch(key, [...candidates]);
  if (near === undefined) return undefined;
  const distance = leven(key.toLowerCase(), near.toLowerCase());
  return distance <= Math.max(2, Math.ceil(key.length / 3)) ? near : undefined;
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as ZodDef;
    if (!WRAPPERS.has(def.type) || !def.innerType) return current;
    current = def.innerType;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
