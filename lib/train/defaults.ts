/**
 * The default training recipe, one place for `clipdex train`, the /train form, the train job and
 * lib/train's own options. `towers: 'both'` with an MLP residual of 256 hidden units was the best
 * of the four recipes benchmarked on all three development styles (openmoji, streamline, emojione:
 * bench/RESULTS.md, "Train"); a linear map (`hidden: 0`) is smaller and cheaper at search time.
 * `logitScaleFactor: 0.25` (session 5) was the best of ~30 configurations tried on five development
 * styles (mean gain +5.2 over 3 seeds against +4.1 at the model's own scale; fxemoji +0 either way).
 * No heavy imports here: the CLI reads it to print --help without loading onnxruntime.
 */
export const TRAIN_DEFAULTS = {
  epochs: 10,
  lr: 1e-3,
  batchSize: 32,
  weightDecay: 0.01,
  towers: 'both' as 'both' | 'image' | 'text',
  hidden: 256,
  seed: 1234,
  /** InfoNCE at a quarter of the model's logit scale (see TrainOptions.logitScaleFactor). */
  logitScaleFactor: 0.25,
};
