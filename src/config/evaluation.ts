import { z } from 'zod';

/** The user simulators of the interactive protocol (src/eval/simulate). */
export const SIMULATORS = ['attribute', 'llm'] as const;
export type SimulatorName = (typeof SIMULATORS)[number];

/**
 * `eval.judged`: judged evaluation against pooled LLM relevance judgments (src/eval/judged.ts). The judgments
 * are the files of `judgmentsDir`'s default folder (../shared/judgments) for the evaluated dataset split, then
 * `files`; `crsaug run` adds those its own judge wrote.
 */
export const JudgedConfigSchema = z
  .object({
    /** Cut-offs of judged nDCG / precision / coverage. */
    ks: z.array(z.number().int().positive()).min(1).default([10]),
    /** A (mean) score at least this counts as relevant for judged precision (3: "good fit"). */
    relevantScore: z.number().min(0).max(4).default(3),
    /** Score of a gold item nobody judged: relevant unless judged otherwise. */
    unjudgedGoldScore: z.number().min(0).max(4).default(3),
    /** Extra judgment files (JSONL in the teacher format), one dataset split each. */
    files: z.array(z.string()).default([]),
    /** Also read ../shared/judgments (the judgments folder next to the data root) when it exists. */
    sharedJudgments: z.boolean().default(true),
  })
  .prefault({});

/** `eval.judge`: which pairs `crsaug judge` (and `crsaug run` with a chat model) pools for the judge. */
export const JudgeConfigSchema = z
  .object({
    /** Items taken from each system's filtered list (the k of the judged metrics). */
    depth: z.number().int().positive().default(10),
    /**
     * Evaluated contexts pooled at most: those that already have a judgment first (filling their holes keeps
     * the judged set one sample), then a seeded random sample of the others; 0 = every evaluated context.
     */
    maxContexts: z.number().int().nonnegative().default(200),
  })
  .prefault({});

/** `eval.simulate`: the user-simulator evaluation (iEvaLM-style interactive protocol). */
export const SimulateConfigSchema = z
  .object({
    /** `crsaug run` simulates with the attribute simulator (no LLM) unless this is false. */
    attribute: z.boolean().default(true),
    /** Recommendations per dialogue at most (T). */
    turns: z.number().int().positive().default(5),
    ks: z.array(z.number().int().positive()).min(1).default([1, 10, 50]),
    /**
     * Contexts simulated at most: a seeded random sample of the contexts with a target (the config seed);
     * 0 = all, the default: all 3,102 of ReDial test take about 10 s per trained kbrd seed (docs/beyond-labels.md).
     */
    maxContexts: z.number().int().nonnegative().default(0),
    /** The LLM simulator (run with a chat model): contexts simulated at most (a seeded sample of the above). */
    llmMaxContexts: z.number().int().nonnegative().default(100),
    /** LLM simulator: calls per turn at most (the first answer plus re-asks after a leak). */
    llmMaxAttempts: z.number().int().positive().default(3),
    llmMaxTokens: z.number().int().positive().default(80),
    llmTemperature: z.number().nonnegative().default(0),
    /** LLM simulator: plot in the persona cut to this many characters; 0 = whole plot. */
    llmPlotChars: z.number().int().nonnegative().default(240),
    /** Simulated users answering at once (LLM calls in flight; the provider's own limits still apply). */
    concurrency: z.number().int().positive().default(8),
  })
  .prefault({});

export type JudgedConfig = z.output<typeof JudgedConfigSchema>;
export type JudgeConfig = z.output<typeof JudgeConfigSchema>;
export type SimulateConfig = z.output<typeof SimulateConfigSchema>;

/**
 * What decides the reference-protocol metrics: the artifact keys of trained models and their pair ranks hold
 * only these, so judged or simulation settings never make a model train again.
 */
export function protocolSettings(evaluation: { ks: number[]; topK: number }): { ks: number[]; topK: number } {
  return { ks: evaluation.ks, topK: evaluation.topK };
}
