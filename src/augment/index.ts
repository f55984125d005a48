/** The augmentation layer: retrieve → score (teacher) → distill (student) → synthesize, plus batch files and shards. */
export * from './artifacts.js';
export * from './batch.js';
export * from './distill.js';
export * from './examples.js';
export * from './finetune-export.js';
export * from './merge.js';
export * from './retrieve.js';
export * from './sampler.js';
export * from './score.js';
export * from './score-request.js';
export * from './shard.js';
export * from './stages/index.js';
export * from './student.js';
export * from './synthesize.js';
export * from './teacher-set.js';
