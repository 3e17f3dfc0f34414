/**
 * lib/eval — EasyNLP's CLIP modes besides training:
 * - evaluate: text→image and image→text recall@1/5/10 on a validation file (embedded in memory,
 *   never ingested) or an ingested dataset, by exact search over every candidate and through an
 *   HNSW graph so the ANN loss is visible; identical images / texts are positives of each other
 *   (protocol clipdex), or exactly as EasyNLP's or Chinese-CLIP's scripts count (protocols.ts);
 * - predict: feature export, one tab-separated vector per input line, written atomically;
 * - classify: zero-shot labels from softmax(logitScale × cosine) over prompt templates.
 */
export { evaluateEmbeddings, evaluateReference, toEvalJson } from './evaluate';
export {
  EVAL_PROTOCOLS,
  MEAN_RECALL_DEFINITION,
  parseProtocol,
  easynlpDirections,
  chineseClipDirections,
  type EvalProtocol,
  type ReferenceSet,
  type ReferenceDirections,
} from './protocols';
export { orderedRanks, type OrderedDirection } from './ordered-ranks';
export type { EvalSet, EvalResult, AnnResult, EvalProgress, EvalPhase, EvaluateOptions, CurvePoint } from './evaluate';
export { evaluateFile, evaluateDataset, formatEvalReport, nothingEvaluated, type EvaluateRunOptions, type EvaluateRunResult } from './run';
export {
  embedCorpusForEval,
  type EvalModel,
  type EmbeddedCorpus,
  type EmbedCorpusOptions,
  type SkippedLine,
  type CorpusRows,
  type PairRow,
  type MugeImageRow,
  type MugeTextRow,
} from './embed-corpus';
export { loadDatasetEvalSet, type DatasetEvalSet } from './dataset';
export { exactRanks, buildPositives, recallAt, recallRow, NO_POSITIVE, NOT_FOUND_RANK } from './recall';
export { annRanks, ANN_K } from './ann';
export type { Link, RecallRow } from './recall';
export { matrixFromRows, MatrixBuilder, scoreBlock, type EmbeddingMatrix } from './matrix';
export type { HnswParams } from './ann';
export { predictFeatures, formatFloat32, type BlankLines, type PredictInput, type PredictOptions, type PredictSummary } from './predict';
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
