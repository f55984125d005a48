import type { UsageRow } from '../providers/middleware/usage.js';

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
