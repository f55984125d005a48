/*
 * Secrets (API keys, tokens, passwords) never reach a file, a log, a report or an artifact key. Whatever
 * describes a configuration goes through one of the two views below before it is written or hashed:
 * `redactSecrets` for what people read (a set secret shows as "***", so they see that one was set), and
 * `withoutSecrets` for content keys (secrets left out, so changing or removing a key recomputes nothing).
 */

/** What a secret is replaced with in anything written or printed. */
export const REDACTED = '***';

/** Config fields that hold a secret (compared lower-case, without - and _). */
const SECRET_FIELDS = new Set([
  'apikey',
  'accesstoken',
  'authtoken',
  'bearertoken',
  'secret',
  'clientsecret',
  'password',
  'authorization',
]);

/** A field of this name holds HTTP headers passed as config: every value may carry a credential. */
const HEADERS_FIELD = 'headers';

/** URL query parameters that carry a credential (Google's ?key=, ?api_key=, SAS ?sig=, ?access_token=, …). */
const SECRET_QUERY =
  /^(key|api[-_]?key|apikey|access[-_]?token|token|auth|secret|password|sig|signature|code)$/i;

const normalise = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** Whether a config field of this name holds a secret. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(normalise(name));
}

/**
 * A URL with its credentials replaced by "***": the user and password of `https://user:pw@host/`, and the
 * values of query parameters such as `key`, `api_key`, `token` or `sig`. Text that is not an absolute URL
 * is returned as it is.
 */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.username) {
    url.username = REDACTED;
    changed = true;
  }
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_QUERY.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // Unchanged URLs keep their exact spelling (new URL() would normalise it, e.g. add a trailing slash).
  return changed ? url.toString().replace(/%2A%2A%2A/g, REDACTED) : text;
}

/** The value as it may be written or logged: every set secret is "***" (see the module comment). */
export function redactSecrets<T>(value: T): T {
  return walk(value, 'mask') as T;
}

/** The value as it may key an artifact: secrets left out, secrets inside URLs "***". */
export function withoutSecrets<T>(value: T): T {
  return walk(value, 'omit') as T;
}

/** Whether a value still holds a redacted secret (a config read back from a file written by redactSecrets). */
export function holdsRedactedSecret(value: unknown): string | undefined {
  return findRedacted(value, []);
}

function walk(value: unknown, mode: 'mask' | 'omit'): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, mode));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (isSecretField(name) && typeof v === 'string') {
      if (mode === 'mask') out[name] = REDACTED;
    } else if (name === HEADERS_FIELD && isPlainObject(v)) {
      if (mode === 'mask') out[name] = Object.fromEntries(Object.keys(v).map((h) => [h, REDACTED]));
    } else {
      out[name] = walk(v, mode);
    }
  }
  return out;
}

function findRedacted(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.includes(REDACTED) ? path.join('.') : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findRedacted(v, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [name, v] of Object.entries(value)) {
    const found = findRedacted(v, [...path, name]);
    if (found) return found;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
