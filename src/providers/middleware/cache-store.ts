import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CrsaugError } from '../../util/errors.js';
import { hashValue } from '../../util/hash.js';

/**
 * The provider cache file is damaged: what SQLite found, which file, and what to do. Raised when the file is
 * opened (a quick check of every page) and by any later read or write that meets a damaged page.
 */
export class DamagedCacheError extends CrsaugError {
  constructor(
    readonly file: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`the provider cache ${file} is damaged (${detail})`, {
      cause,
      hint: `move it aside with its -wal and -shm files (e.g. mv "${file}" "${file}.damaged") and run again: a new cache is started, and calls whose answers are not in it are asked (and paid for) again; the files runs wrote (candidates, scores) are kept`,
    });
    this.name = 'DamagedCacheError';
  }
}

/** SQLite's result codes for a file that is not, or no longer, a sound database. */
function isDamage(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * The check at open reads every page (about 2 ms per MB, docs/providers.md). A file this process found sound
 * and left as it is now (same size and modification time of the file and its WAL) is not read again, so the
 * stages of one run pay for one check; a file changed by anything else since is checked again, and damage that
 * appears while a store is open is caught by its statements.
 */
const soundFiles = new Map<string, string>();

/** Size and modification time of the file and of its write-ahead log (null for a file that is not there). */
function stampOf(file: string): string {
  return JSON.stringify(
    [file, `${file}-wal`].map((f) => {
      const stat = statSync(f, { throwIfNoEntry: false });
      return stat ? [stat.size, stat.mtimeMs] : null;
    }),
  );
}

/**
 * The on-disk record of every provider result, keyed by provider, model and a hash of the request.
 * Each result is committed the moment it arrives (WAL mode), so a run killed at any point restarts
 * without paying again for anything that had been committed.
 */
export class ProviderCacheStore {
  private readonly db: Database.Database;
  private readonly getCall: Database.Statement<[string], { result: string }>;
  private readonly putCall: Database.Statement<[string, string, string, string, number]>;
  private readonly getVector: Database.Statement<[string], { vector: Buffer }>;
  private readonly putVector: Database.Statement<[string, string, string, Buffer, number]>;
  private damaged = false;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    try {
      this.guard(() => {
        // Several runs may share one cache; wait for a writer instead of failing.
        this.db.pragma('busy_timeout = 10000');
        this.checkOnce();
        this.db.pragma('journal_mode = WAL');
        // Under WAL, NORMAL commits without an fsync per call: a killed process loses nothing committed (only
        // an OS crash or power loss can drop the last results, which then cost one more call each).
        this.db.pragma('synchronous = NORMAL');
        this.db.exec(`
          CREATE TABLE IF NOT EXISTS calls (
            key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL);
          CREATE TABLE IF NOT EXISTS vectors (
            key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, created_at INTEGER NOT NULL);
        `);
      });
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.getCall = this.db.prepare('SELECT result FROM calls WHERE key = ?');
    this.putCall = this.db.prepare('INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?)');
    this.getVector = this.db.prepare('SELECT vector FROM vectors WHERE key = ?');
    this.putVector = this.db.prepare('INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)');
  }

  /** PRAGMA quick_check (every page and index, not the costlier cross-checks of integrity_check). */
  private checkOnce(): void {
    const path = resolve(this.file);
    if (soundFiles.get(path) === stampOf(path)) return;
    const problems = this.db.pragma('quick_check(3)') as { quick_check: string }[];
    if (problems[0]?.quick_check !== 'ok') {
      this.damaged = true;
      throw new DamagedCacheError(this.file, problems.map((p) => p.quick_check).join('; '));
    }
  }

  /** Runs a statement; a damaged page it meets becomes a DamagedCacheError naming the file. */
  private guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!isDamage(error)) throw error;
      this.damaged = true;
      throw new DamagedCacheError(this.file, error.message, error);
    }
  }

  static key(provider: string, modelId: string, request: unknown): string {
    return hashValue({ provider, modelId, request });
  }

  readCall<T>(key: string): T | undefined {
    const row = this.guard(() => this.getCall.get(key));
    return row ? (JSON.parse(row.result) as T) : undefined;
  }

  writeCall(key: string, provider: string, modelId: string, result: unknown): void {
    this.guard(() => this.putCall.run(key, provider, modelId, JSON.stringify(result), Date.now()));
  }

  readVector(key: string): Float32Array | undefined {
    const row = this.guard(() => this.getVector.get(key));
    if (!row) return undefined;
    const bytes = row.vector;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  writeVectors(
    entries: Array<{ key: string; vector: Float32Array }>,
    provider: string,
    modelId: string,
  ): void {
    const now = Date.now();
    const write = this.db.transaction(() => {
      for (const { key, vector } of entries) {
        this.putVector.run(
          key,
          provider,
          modelId,
          Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
          now,
        );
      }
    });
    this.guard(() => write());
  }

  /** Rows per table, for reports and tests. */
  counts(): { calls: number; vectors: number } {
    const count = (table: string) =>
      this.guard(() => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return { calls: count('calls'), vectors: count('vectors') };
  }

  close(): void {
    this.db.close();
    if (!this.damaged) soundFiles.set(resolve(this.file), stampOf(resolve(this.file)));
  }
}
