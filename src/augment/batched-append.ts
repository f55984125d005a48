import { type FileHandle, open } from 'node:fs/promises';

/**
 * Appends JSONL records without making the caller wait for the disk: records are collected for up to
 * `maxDelayMs` (or until `maxLines` are waiting) and written together, in the order they were added, so
 * the file sees whole lines only and few writes, through one open file. A record is in the file once
 * flush() has resolved; a write error is raised by the next add() or flush(). close() flushes and releases
 * the file.
 */
export class BatchedJsonlAppender {
  private pending: string[] = [];
  private writing?: Promise<void>;
  private failure?: unknown;
  private handle?: Promise<FileHandle>;

  private timer?: NodeJS.Timeout;

  constructor(
    readonly file: string,
    private readonly maxDelayMs = 50,
    private readonly maxLines = 256,
  ) {}

  add(record: unknown): void {
    if (this.failure) throw this.failure;
    this.pending.push(`${JSON.stringify(record)}\n`);
    if (this.pending.length >= this.maxLines) this.startWrite();
    else this.timer ??= setTimeout(() => this.startWrite(), this.maxDelayMs);
  }

  async flush(): Promise<void> {
    if (this.pending.length > 0) this.startWrite();
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const handle = this.handle;
      this.handle = undefined;
      if (handle) await (await handle.catch(() => undefined))?.close();
    }
  }

  private startWrite(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.pending.length === 0) return;
    // Cleared in a callback, which always runs after this assignment (never before it, even if drain
    // finished at once), so flush() never waits on a write that is over.
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const text = this.pending.join('');
        this.pending = [];
        this.handle ??= open(this.file, 'a');
        await (await this.handle).appendFile(text);
      }
    } catch (error) {
      this.failure = error;
    }
  }
}
