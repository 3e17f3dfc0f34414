/**
 * lib/train — EasyNLP's train mode for any loaded CLIP on a CPU: embed the train and validation
 * pairs once with the frozen model, then fit a small residual adapter per tower with CLIP's
 * symmetric InfoNCE (lib/adapters holds the adapter math and its files). The best epoch by
 * EasyNLP's text→image mean recall on the validation pairs is what gets saved.
 */
export { embedPairs, holdOut, rng, shuffle, type PairSet, type EmbeddedPairs, type Views } from './pairs';
export { pairRecall } from './recall';
export { TRAIN_DEFAULTS } from './defaults';
export { batchGradients } from './step';
export { trainAdapter, validateRecall, MIN_TRAIN_PAIRS, type TrainOptions, type TrainEvent, type TrainResult } from './train';
export { runTraining, type RunTrainingOptions, type RunTrainingResult, type PairSource } from './run';
export { startTrainJob, liveTrainCurve, isTrainJobResult, type TrainJobParams, type TrainJobResult, type TrainCurve, type TrainCurvePoint } from './job';
