import { z } from 'zod';
import { isStandInProvider } from './registry.js';
import type { ModelIdentity } from './types.js';

/** A provider as a run names it in its outputs and its report: role, id and an honest description. */
export const ProviderUseSchema = z.object({
  /** What the provider does in the pipeline: "embedder", "teacher", "scorer", … */
  role: z.string().min(1),
  /** The provider id as configured, e.g. "builtin:tfidf-lsa" or "openai:gpt-4o-mini". */
  id: z.string().min(1),
  /** An honest one-line description, e.g. "offline lexical embedder (TF-IDF + LSA), not GritLM". */
  description: z.string().min(1),
  /** True for the built-in offline stand-ins; the report warns when any is used. */
  offline: z.boolean(),
});
export type ProviderUse = z.infer<typeof ProviderUseSchema>;

/** How a stage names the model it used for `role`. */
export function providerUse(role: string, model: ModelIdentity): ProviderUse {
  return {
    role,
    id: `${model.provider}:${model.modelId}`,
    description: model.describe(),
    offline: isStandInProvider(model.provider),
  };
}
