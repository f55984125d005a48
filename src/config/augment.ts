import { z } from 'zod';

/**
 * Item text for retrieval. Placeholders: {name} {year} {genres} {directors} {stars} {writers} {other} {plot}.
 * A part in [square brackets] is dropped when any placeholder inside it is empty, so missing metadata
 * leaves no dangling labels. {year} is empty when the name already carries it (CFCRS: "Rush Hour (1998)");
 * {other} is the catalog's further fields ("Language: English"; OpenDialKG), empty for CFCRS catalogs, so
 * the ReDial and INSPIRED texts are the same with or without those parts.
 */
export const DEFAULT_ITEM_TEMPLATE =
  '{name}[ ({year})][. Genres: {genres}][. Directed by {directors}][. Starring {stars}][. Written by {writers}][. {other}][. Plot: {plot}]';

/**
 * The item description the teacher judge saw (see shared/teacher/README.md): no writers, people and plot cut;
 * {year} only where the name does not carry it (OpenDialKG), so the CFCRS prompts are unchanged.
 */
export const DEFAULT_PROMPT_ITEM_TEMPLATE =
  '{name}[ ({year})][\nGenres: {genres}][\nDirected by: {directors}][\nStarring: {stars}][\nPlot: {plot}]';

export const FIT_CORPORA = ['items', 'items+masked-contexts', 'items+contexts'] as const;

const ItemTextSchema = {
  /** Most people listed per role (directors, stars, writers); 0 = all. */
  maxPeople: z.number().int().nonnegative().default(3),
  /** Plot cut to this many characters (at a word boundary, with "…"); 0 = whole plot. */
  plotChars: z.number().int().nonnegative().default(0),
};

export const RetrieveConfigSchema = z
  .object({
    /** Candidates kept per context. */
    topK: z.number().int().positive().default(50),
    itemTemplate: z.string().default(DEFAULT_ITEM_TEMPLATE),
    ...ItemTextSchema,
    /** Prepended to each context text before embedding, e.g. GritLM's "<|user|>\n{instruction}\n<|embed|>\n". */
    queryPrefix: z.string().default(''),
    querySuffix: z.string().default(''),
    /** Prepended to each item text before embedding, e.g. GritLM's "<|embed|>\n". */
    documentPrefix: z.string().default(''),
    documentSuffix: z.string().default(''),
    /** Only the last N utterances of a context are embedded; 0 = all. */
    maxUtterances: z.number().int().nonnegative().default(0),
    /**
     * Also exclude items whose title appears verbatim in the context text, not only the linked entities
     * (linking misses titles; see docs/augment.md for the matching rule).
     */
    excludeMentionedTitles: z.boolean().default(true),
    /**
     * What the builtin TF-IDF/LSA embedder is fitted on (other providers are not fitted): item texts only,
     * item texts plus train contexts with every catalog title masked, or plus the raw train contexts. Raw
     * contexts let the space learn which titles co-occur in a train dialogue, i.e. the train labels: gold
     * items then reach the candidates far more often on train than on valid and test (docs/augment.md).
     */
    fitCorpus: z.enum(FIT_CORPORA).default('items'),
    /** Contexts per similarity block (queries × itemsᵀ); bounds memory at blockRows × items floats. */
    blockRows: z.number().int().positive().default(1024),
    /**
     * The candidate pool: 'semantic', the top-K by inner product (the paper's, with GritLM: the default);
     * 'hybrid' (our variant), reciprocal-rank fusion of three rankings of the catalog: the semantic one, BM25
     * of the latest user turns against the item descriptions, and the IDF-weighted KG overlap with what the
     * context names (docs/augment.md). On INSPIRED valid it moved no mode significantly (docs/results.md),
     * so the paper's pool stays the default.
     */
    pool: z.enum(['semantic', 'hybrid']).default('semantic'),
    /** hybrid: each ranking contributes its first `depth` items, item i at rank r adding 1 / (rrfK + r). */
    hybrid: z
      .object({
        depth: z.number().int().positive().default(200),
        rrfK: z.number().positive().default(60),
      })
      .prefault({}),
  })
  .prefault({});

/** 'direct': the answer is "Score: N"; 'reason': one short reason first, then "Score: N". */
export const SCORE_MODES = ['direct', 'reason'] as const;
/** 'text': "Score: N" lines; 'json': a JSON object, enforced where the provider has a JSON response format. */
export const RESPONSE_FORMATS = ['text', 'json'] as const;
/** Which retrieved pairs go to the teacher ('uncertainty' needs a student: library callers only). */
export const SAMPLER_STRATEGIES = ['all', 'random', 'stratified', 'uncertainty'] as const;

export const ScoreConfigSchema = z
  .object({
    mode: z.enum(SCORE_MODES).default('direct'),
    /**
     * How the answer is asked for: 'text' ("Score: N", the paper's judge), or 'json' ({"score": N}, and
     * {"scores": [{"id", "score"}, …]} for several candidates), sent with response_format json_object by the
     * openai-compatible client (llamacpp only gets the instruction). Both forms are read either way.
     */
    responseFormat: z.enum(RESPONSE_FORMATS).default('text'),
    /** Candidates of one context judged in one call (1 = one call per pair). */
    candidatesPerCall: z.number().int().positive().default(1),
    /** Output budget per candidate (a call gets this × its candidate count). */
    maxTokens: z.number().int().positive().default(8),
    /** Extra output budget per candidate in 'reason' mode. */
    reasonTokens: z.number().int().positive().default(60),
    temperature: z.number().nonnegative().default(0),
    /** Ask for token log-probabilities and record the expected score over the digits 0-4 (single-pair calls). */
    logprobs: z.boolean().default(false),
    topLogprobs: z.number().int().min(5).max(20).default(5),
    /** Calls per pair before it is recorded as invalid (the later ones repair or extend the first). */
    maxAttempts: z.number().int().positive().default(2),
    /** Pairs in flight at once (the provider's own concurrency limit still applies). */
    concurrency: z.number().int().positive().default(8),
    /**
     * A stage stops with an error when fewer of its answers than this share are valid (0 = never): once
     * `validShareAfter` answers of this call are in (so a broken judge costs only that many calls), and at the
     * end over every requested pair's record.
     */
    minValidShare: z.number().min(0).max(1).default(0.5),
    /** Answers needed before the valid share is judged. */
    validShareAfter: z.number().int().positive().default(20),
    itemTemplate: z.string().default(DEFAULT_PROMPT_ITEM_TEMPLATE),
    maxPeople: z.number().int().nonnegative().default(3),
    plotChars: z.number().int().nonnegative().default(240),
    /** Only the last N utterances are shown to the judge; 0 = all. */
    maxUtterances: z.number().int().nonnegative().default(0),
    sampler: z
      .object({
        /**
         * Which retrieved pairs go to the teacher: 'all', 'random', 'stratified' (evenly over rank strata) or
         * 'uncertainty' (pairs the current student scores closest to the threshold; library callers only).
         */
        strategy: z.enum(SAMPLER_STRATEGIES).default('all'),
        /** Pairs taken per context (not used by 'all'). */
        pairsPerContext: z.number().int().positive().default(12),
        /** Contexts taken at most (a seeded random subset); 0 = all. */
        maxContexts: z.number().int().nonnegative().default(0),
        /** Upper rank bounds (1-based, inclusive) of the strata for 'stratified'. */
        strata: z.array(z.number().int().positive()).default([5, 10, 20, 50]),
        /** Student score of the decision boundary for 'uncertainty' (the synthetic-label threshold). */
        threshold: z.number().default(3.5),
      })
      .prefault({}),
  })
  .prefault({});

/** Settings of the student scorer (`augment distill`). */
export const DistillConfigSchema = z
  .object({
    /** Hidden layer widths of the student MLP. */
    hidden: z.array(z.number().int().positive()).default([32, 16]),
    epochs: z.number().int().positive().default(60),
    batchSize: z.number().int().positive().default(64),
    lr: z.number().positive().default(3e-3),
    weightDecay: z.number().nonnegative().default(1e-3),
    /**
     * 'quantile': after training, map the student's output so its score distribution on the training pairs
     * matches the teacher's (MSE shrinks towards the mean, so few pairs would reach the 3.5 threshold);
     * 'none': the raw regression output.
     */
    calibration: z.enum(['quantile', 'none']).default('quantile'),
    /**
     * Offline judgments learned from: 'dataset', the dataset's own files in shared/teacher (all of them when
     * none is for it); 'all', every shipped file (valid files are held out either way).
     */
    teachers: z.enum(['dataset', 'all']).default('dataset'),
    /** Feature set: 'base', or 'kg-idf' (base + the IDF-weighted KG overlap; docs/augment-student.md). */
    features: z.enum(['base', 'kg-idf']).default('base'),
    /**
     * 'mse': regression on the teacher scores; 'mse+listwise': plus, per judged context, the cross-entropy
     * between softmax(teacher / τ) and softmax(student / τ) over its pairs (ListNet), weighted by listwiseWeight,
     * so the student learns which candidate of a context the teacher prefers, not only the score level.
     */
    objective: z.enum(['mse', 'mse+listwise']).default('mse'),
    listwiseWeight: z.number().nonnegative().default(1),
    listwiseTemperature: z.number().positive().default(1),
    /** Share of each teacher file's contexts held out for the agreement report (split by context, not pair). */
    heldOutShare: z.number().min(0).max(0.9).default(0.2),
  })
  .prefault({});

export const SynthesizeConfigSchema = z
  .object({
    /**
     * A candidate becomes a synthetic label when its score is at least this (the paper: 3.5). 'auto' (crsaug
     * run): each of autoThresholds is tried, stage 1 and the paper's stage 2 are trained on its labels, and the
     * threshold whose stage 2 has the best mean valid train.selectMetric over seeds is used for the run.
     */
    threshold: z.union([z.number().min(0).max(4), z.literal('auto')]).default(3.5),
    /** The grid 'auto' chooses from (read only with threshold 'auto'). */
    autoThresholds: z.array(z.number().min(0).max(4)).min(1).default([2, 2.5, 3, 3.5, 4]),
    /** Candidates scored per context (the paper: the retriever's top 50). */
    topK: z.number().int().positive().default(50),
    /**
     * On train contexts the teacher judged, its scores override the student's, and the judged items outside
     * the candidates are scored too (so the teacher's 4s become labels); false: the student scores everything.
     */
    teacherOverride: z.boolean().default(false),
    /**
     * Split whose contexts get synthetic labels. Only train is accepted (synthesize refuses the others):
     * labels on valid would steer model selection and labels on test would leak into the evaluation.
     */
    split: z.enum(['train', 'valid', 'test']).default('train'),
  })
  .prefault({});

/** The `augment` section: one sub-object per pipeline stage. */
export const AugmentConfigSchema = z.object({
  retrieve: RetrieveConfigSchema,
  score: ScoreConfigSchema,
  distill: DistillConfigSchema,
  synthesize: SynthesizeConfigSchema,
});

export type AugmentConfig = z.output<typeof AugmentConfigSchema>;
export type RetrieveConfig = AugmentConfig['retrieve'];
export type ScoreConfig = AugmentConfig['score'];
export type SamplerConfig = ScoreConfig['sampler'];
export type DistillConfig = AugmentConfig['distill'];
export type SynthesizeConfig = AugmentConfig['synthesize'];
