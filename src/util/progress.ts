/**
 * A progress line for long work: done/total, items/s and ETA, written to stderr.
 * On a TTY it redraws in place; elsewhere (CI, logs) it prints at most every `intervalMs`.
 */
export class Progress {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private extra = '';

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly options: {
      unit?: string;
      intervalMs?: number;
      stream?: NodeJS.WriteStream;
      silent?: boolean;
    } = {},
  ) {}

  /** Adds `n` finished items; `extra` is appended to the line (loss, cost so far, …). */
  tick(n = 1, extra?: string): void {
    this.done += n;
    if (extra !== undefined) this.extra = extra;
    const now = performance.now();
    const interval = this.options.intervalMs ?? (this.isTty() ? 100 : 5000);
    if (now - this.lastDraw >= interval || this.done >= this.total) this.draw(now);
  }

  /** Prints the final line with the total time. */
  finish(extra?: string): { seconds: number; perSecond: number } {
    if (extra !== undefined) this.extra = extra;
    const seconds = (performance.now() - this.start) / 1000;
    const perSecond = seconds > 0 ? this.done / seconds : 0;
    if (!this.options.silent) {
      const stream = this.options.stream ?? process.stderr;
      const prefix = this.isTty() ? '\r\x1b[2K' : '';
      stream.write(
        `${prefix}${this.label}: ${this.done}/${this.total} ${this.unit()} in ${formatDuration(seconds)} (${formatRate(perSecond)} ${this.unit()}/s)${this.extra ? ` ${this.extra}` : ''}\n`,
      );
    }
    return { seconds, perSecond };
  }

  private draw(now: number): void {
    this.lastDraw = now;
    if (this.options.silent) return;
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const pct = this.total > 0 ? ((100 * this.done) / this.total).toFixed(1) : '100.0';
    const line = `${this.label}: ${this.done}/${this.total} (${pct}%) ${formatRate(rate)} ${this.unit()}/s ETA ${formatDuration(eta)}${this.extra ? ` ${this.extra}` : ''}`;
    const stream = this.options.stream ?? process.stderr;
    if (this.isTty()) stream.write(`\r\x1b[2K${line}`);
    else stream.write(`${line}\n`);
  }

  private unit(): string {
    return this.options.unit ?? 'items';
  }

  private isTty(): boolean {
    return Boolean((this.options.stream ?? process.stderr).isTTY);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}
