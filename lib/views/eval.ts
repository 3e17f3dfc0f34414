/**
 * Evaluation results as the browser sees them (the evaluate job's JSON result) and the one guard
 * for them. From the pure lib/eval file, not its face, so client bundles stay free of server code.
 */
export { isEvaluateJobResult, type EvaluateJobResult } from '../eval/job-result';
export type { EvalResult, CurvePoint, LabelScore } from '../eval';
