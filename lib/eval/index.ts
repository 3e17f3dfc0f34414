/**
 * lib/eval — EasyNLP's CLIP modes besides training:
 * - evaluate: text→image and image→text recall@1/5/10 on a validation file (embedded in memory,
 *   never ingested) or an ingested dataset, by exact search over every candidate and through an
 *   HNSW graph so the ANN loss is visible; identical images / texts are positives of each other;
 * - predict: feature export, one tab-separated vector a line, written atomically;
 * - classify: zero-shot labels from softmax(logitScale × cosine) over prompt templates.
 */
export { evaluateEmbeddings, toEvalJson } from './evaluate';
export type { EvalSet, EvalResult, AnnResult, EvalProgress, EvalPhase, EvaluateOptions, CurvePoint } from './evaluate';
export { evaluateFile, evaluateDataset, formatEvalReport, type EvaluateRunOptions, type EvaluateRunResult } from './run';
export { embedCorpusForEval, type EvalModel, type EmbeddedCorpus, type EmbedCorpusOptions, type SkippedLine } from './embed-corpus';
export { loadDatasetEvalSet, type DatasetEvalSet } from './dataset';
export { exactRanks, buildPositives, recallAt, recallRow, NO_POSITIVE, NOT_FOUND_RANK } from './recall';
export { annRanks, ANN_K } from './ann';
export type { Link, RecallRow } from './recall';
export { matrixFromRows, MatrixBuilder, scoreBlock, type EmbeddingMatrix } from './matrix';
export type { HnswParams } from './ann';
export { predictFeatures, formatFloat32, type PredictInput, type PredictOptions, type PredictSummary } from './predict';
export {
  classifyImages,
  parseLabels,
  promptsFor,
  softmax,
  defaultTemplateFor,
  defaultTemplates,
  type LabelScore,
  type ClassifiedImage,
  type ClassifyOptions,
} from './classify';
export { startEvaluateJob, listEvaluations, type EvaluateJobParams, type PastEvaluation } from './job';
export { isEvaluateJobResult, type EvaluateJobResult } from './job-result';
