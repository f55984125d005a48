/** crsaug's library API: the same pieces the CLI uses. */
export * as augment from './augment/index.js';
export { resolveConfig } from './config/load.js';
export { type Config, ConfigSchema } from './config/schema.js';
export * as data from './data/index.js';
export * as engine from './engine/index.js';
export * as evaluation from './eval/index.js';
export { runPipeline } from './pipeline/run.js';
export * as providers from './providers/index.js';
export * as report from './report/index.js';
export { buildApp as buildServeApp, type ServeOptions } from './serve/app.js';
export * as train from './train/index.js';
