import { type SamplerConfig, ScoreConfigSchema } from '../../src/config/augment.js';

/** A sampler config with the schema's defaults for whatever the test leaves out. */
export function samplerConfig(overrides: Record<string, unknown>): SamplerConfig {
  return ScoreConfigSchema.parse({ sampler: overrides }).sampler;
}
