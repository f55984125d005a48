/** The training layer: backbones by name, samples, losses, checkpoints, the trainer and multi-seed runs. */
export {
  type BackboneName,
  backboneDescription,
  backboneNames,
  backboneSettings,
  buildBackbone,
} from './backbones.js';
export {
  loadModel,
  OPTIMIZER_FILE,
  readTrainerState,
  saveModel,
  TRAINER_STATE_FILE,
  type TrainerState,
} from './checkpoint.js';
export { batchLoss, type Distillation } from './loss.js';
export { registerTrainedRecommenders } from './recommenders.js';
export {
  runTraining,
  type SyntheticReport,
  samplesForMode,
  type TrainRunOptions,
  type TrainRunResult,
} from './run.js';
export {
  readSyntheticLabels,
  realSamples,
  type SyntheticLabels,
  SyntheticSampleSchema,
  syntheticSamples,
  type TrainSample,
} from './samples.js';
export {
  BEST_CHECKPOINT,
  epochRng,
  LAST_CHECKPOINT,
  logLabelPrior,
  type SeedResult,
  type TrainSeedOptions,
  trainSeed,
} from './trainer.js';
