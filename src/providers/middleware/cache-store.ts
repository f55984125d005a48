import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { hashValue } from '../../util/hash.js';

/**
 * The on-disk record of every provider result, keyed by provider, model and a hash of the request.
 * Each result is committed the moment it arrives (WAL mode), so a run killed at any point restarts
 * without paying again for anything that had come back.
 */
export class ProviderCacheStore {
  private readonly db: Database.Database;
  private readonly getCall: Database.Statement<[string], { result: string }>;
  private readonly putCall: Database.Statement<[string, string, string, string, number]>;
  private readonly getVector: Database.Statement<[string], { vector: Buffer }>;
  private readonly putVector: Database.Statement<[string, string, string, Buffer, number]>;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Under WAL, NORMAL commits without an fsync per call: a killed process loses nothing committed (only an
    // OS crash or power loss can drop the last results, which then cost one more call each).
    this.db.pragma('synchronous = NORMAL');
    // Several runs may share one cache; wait for a writer instead of failing.
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS calls (
        key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS vectors (
        key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, created_at INTEGER NOT NULL);
    `);
    this.getCall = this.db.prepare('SELECT result FROM calls WHERE key = ?');
    this.putCall = this.db.prepare('INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?)');
    this.getVector = this.db.prepare('SELECT vector FROM vectors WHERE key = ?');
    this.putVector = this.db.prepare('INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)');
  }

  static key(provider: string, modelId: string, request: unknown): string {
    return hashValue({ provider, modelId, request });
  }

  readCall<T>(key: string): T | undefined {
    const row = this.getCall.get(key);
    return row ? (JSON.parse(row.result) as T) : undefined;
  }

  writeCall(key: string, provider: string, modelId: string, result: unknown): void {
    this.putCall.run(key, provider, modelId, JSON.stringify(result), Date.now());
  }

  readVector(key: string): Float32Array | undefined {
    const row = this.getVector.get(key);
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
    this.db.transaction(() => {
      for (const { key, vector } of entries) {
        this.putVector.run(
          key,
          provider,
          modelId,
          Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
          now,
        );
      }
    })();
  }

  /** Rows per table, for reports and tests. */
  counts(): { calls: number; vectors: number } {
    const count = (table: string) =>
      (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { calls: count('calls'), vectors: count('vectors') };
  }

  close(): void {
    this.db.close();
  }
}
