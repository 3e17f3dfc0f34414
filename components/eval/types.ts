/** What the evaluation components show: the wire types of lib/views/eval and a formatter. */
import { isEvaluateJobResult, type EvaluateJobResult } from '@/lib/views/eval';

export type { EvaluateJobResult, EvalResult, CurvePoint, LabelScore } from '@/lib/views/eval';

/** A job's result when it is an evaluation, else null (the one check: lib/eval `isEvaluateJobResult`). */
export const asEvaluateResult = (x: unknown): EvaluateJobResult | null => (isEvaluateJobResult(x) ? x : null);

export const pct = (x: number) => x.toFixed(2);
