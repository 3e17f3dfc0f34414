/**
 * Evaluation results as the browser sees them (the evaluate job's JSON result). Type-only imports
 * from lib/eval keep server code out of the client bundle.
 */
import type { EvaluateJobResult, EvalResult, CurvePoint, LabelScore } from '@/lib/eval';

export type { EvaluateJobResult, EvalResult, CurvePoint, LabelScore };

export function asEvaluateResult(x: unknown): EvaluateJobResult | null {
  const r = x as EvaluateJobResult | null;
  return r && typeof r === 'object' && typeof r.label === 'string' && r.evaluation && typeof r.evaluation.mean_recall === 'number' ? r : null;
}

export const pct = (x: number) => x.toFixed(2);
