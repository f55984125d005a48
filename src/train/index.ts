/** The training layer: samples, losses, checkpoints, the trainer and multi-seed runs of the model table's backbones. */
export {
  BACKBONE_NAMES,
  type BackboneName,
  backboneSettings,
  backboneSpec,
  buildBackbone,
  MODELS,
} from '../models/registry.js';
export {
  loadModel,
  OPTIMIZER_FILE,
  readTrainerState,
  saveModel,
  TRAINER_STATE_FILE,
  type TrainerState,
} from './checkpoint.js';
export { batchLoss, type Distillation } from './loss.js';
export { evaluableModelNames, recommenderOf } from './recommenders.js';
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
