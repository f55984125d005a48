import { isLocalProvider } from '../registry.js';
import type { AnyModel, ModelIdentity } from '../types.js';
import { wrapModel } from './wrap.js';

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export type PriceTable = Record<string, ModelPrice>;

export interface UsageRow {
  stage: string;
  provider: string;
  modelId: string;
  /** Calls that reached the model and succeeded. */
  calls: number;
  /** Results served from the cache (calls for chat, values for embeddings): not paid again. */
  cacheHits: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
  /** Calls whose response reported no token counts (their tokens are missing from the sums). */
  callsWithoutUsage: number;
  /** Estimated USD, or null when unknown: no price for the model, or some calls did not report tokens. */
  costUsd: number | null;
}

/** Counts calls, tokens, cache hits and retries per (stage, model), and prices them from the table. */
export class UsageTracker {
  private readonly rows = new Map<string, Omit<UsageRow, 'costUsd'>>();

  constructor(private readonly prices: PriceTable = {}) {}

  private row(stage: string, model: ModelIdentity): Omit<UsageRow, 'costUsd'> {
    const key = `${stage}\u0000${model.provider}\u0000${model.modelId}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        stage,
        provider: model.provider,
        modelId: model.modelId,
        calls: 0,
        cacheHits: 0,
        retries: 0,
        inputTokens: 0,
        outputTokens: 0,
        callsWithoutUsage: 0,
      };
      this.rows.set(key, row);
    }
    return row;
  }

  recordCall(
    stage: string,
    model: ModelIdentity,
    usage: { inputTokens: number; outputTokens?: number } | undefined,
  ): void {
    const row = this.row(stage, model);
    row.calls++;
    if (!usage) {
      row.callsWithoutUsage++;
      return;
    }
    row.inputTokens += usage.inputTokens;
    row.outputTokens += usage.outputTokens ?? 0;
  }

  recordCacheHits(stage: string, model: ModelIdentity, count: number): void {
    this.row(stage, model).cacheHits += count;
  }

  recordRetry(stage: string, model: ModelIdentity): void {
    this.row(stage, model).retries++;
  }

  summary(): UsageRow[] {
    return [...this.rows.values()].map((row) => ({ ...row, costUsd: this.cost(row) }));
  }

  /** Sum over all rows; `complete` is false when any row's cost is unknown (the sum then covers only the known ones). */
  totalCostUsd(): { usd: number; complete: boolean } {
    let usd = 0;
    let complete = true;
    for (const row of this.summary()) {
      if (row.costUsd === null) complete = false;
      else usd += row.costUsd;
    }
    return { usd, complete };
  }

  /** A plain-text table for logs and reports. */
  format(): string {
    return formatUsage(this.summary());
  }

  private cost(row: Omit<UsageRow, 'costUsd'>): number | null {
    // A provider that runs on this machine costs nothing, which is known rather than assumed.
    if (isLocalProvider(row.provider)) return 0;
    if (row.callsWithoutUsage > 0) return null;
    return tokensCostUsd(this.prices, row.modelId, row.inputTokens, row.outputTokens);
  }
}

/** USD of tokens at a model's list price; null when the table has no price for the model. */
export function tokensCostUsd(
  prices: PriceTable,
  modelId: string,
  inputTokens: number,
  outputTokens: number,
): number | null {
  const price = prices[modelId];
  return price ? (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1e6 : null;
}

/** Usage rows as a plain-text table for logs. */
export function formatUsage(rows: readonly UsageRow[]): string {
  const lines = ['stage\tprovider:model\tcalls\tcache hits\tretries\tinput tok\toutput tok\tcost USD'];
  for (const r of rows) {
    const cost = r.costUsd === null ? 'unknown' : r.costUsd.toFixed(4);
    lines.push(
      `${r.stage}\t${r.provider}:${r.modelId}\t${r.calls}\t${r.cacheHits}\t${r.retries}\t${r.inputTokens}\t${r.outputTokens}\t${cost}`,
    );
  }
  return lines.join('\n');
}

/** Records each successful call that reached the model (place it inside the cache wrapper). */
export function withUsage<M extends AnyModel>(model: M, tracker: UsageTracker, stage: string): M {
  return wrapModel(model, {
    async embed(request, next, inner) {
      const result = await next(request);
      tracker.recordCall(stage, inner, result.usage);
      return result;
    },
    async generate(request, next, inner) {
      const result = await next(request);
      tracker.recordCall(stage, inner, result.usage);
      return result;
    },
  });
}

export interface UsageTotals {
  provider?: string;
  llmCalls: number;
  cachedCalls: number;
  /** null when some call reported no token counts. */
  tokens: number | null;
  /** null = unknown (no price for a model, or missing token counts), never "free". */
  costUsd: number | null;
}

/** A stage's provider usage summed over its models. */
export function usageTotals(rows: readonly UsageRow[]): UsageTotals {
  const sum = (pick: (u: UsageRow) => number) => rows.reduce((s, u) => s + pick(u), 0);
  return {
    provider: rows.map((u) => `${u.provider}:${u.modelId}`).join(', ') || undefined,
    llmCalls: sum((u) => u.calls),
    cachedCalls: sum((u) => u.cacheHits),
    tokens: rows.some((u) => u.callsWithoutUsage > 0) ? null : sum((u) => u.inputTokens + u.outputTokens),
    costUsd: rows.some((u) => u.costUsd === null) ? null : sum((u) => u.costUsd ?? 0),
  };
}
