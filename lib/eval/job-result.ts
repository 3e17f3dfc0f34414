/**
 * The evaluate job's result as stored in the Job row (JSON), and the one check that a stored
 * result has that shape. Type imports only, so the browser-side components can use the check too
 * (through lib/views/eval.ts) without pulling in the evaluation code.
 */
import type { EvalResult } from './evaluate';
import type { EvaluateRunResult } from './run';

export interface EvaluateJobResult {
  label: string;
  source: 'dataset' | 'file';
  model: EvaluateRunResult['model'];
  evaluation: EvalResult;
  skipped: number;
}

export function isEvaluateJobResult(x: unknown): x is EvaluateJobResult {
  const r = x as EvaluateJobResult | null;
  return !!r && typeof r === 'object' && typeof r.label === 'string' && !!r.evaluation && typeof r.evaluation.mean_recall === 'number';
}
