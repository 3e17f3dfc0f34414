/**
 * issue 11: the on/off flags of the OCR controls (`ocr` on POST /api/datasets and the upload page,
 * `ocr` / `retryFailedOcr` on POST /api/reindex and the admin page). One zod schema, so the API's
 * validation, its OpenAPI document and the pages' server actions accept the same spellings.
 */
import { z } from 'zod';
import { AppError } from '../errors';

// In this order: zod lists an enum's values as object keys, which puts integer-like ones first.
export const OCR_FLAG_VALUES = ['0', '1', 'true', 'false'] as const;

/** A form or query field: true/false/1/0 → boolean; absent → undefined (the default applies). */
export const ocrFlag = (description: string) =>
  z
    .enum(OCR_FLAG_VALUES)
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .describe(description);

/** The same check outside zod (server actions): a boolean passes; '', null, undefined are absent. */
export function parseOcrFlag(name: string, raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const r = ocrFlag('').safeParse(raw);
  if (r.success) return r.data;
  const shown = JSON.stringify(typeof raw === 'string' ? raw.slice(0, 40) : typeof raw);
  throw new AppError('INVALID_INPUT', `${name} must be one of ${OCR_FLAG_VALUES.map((v) => JSON.stringify(v)).join(', ')}; got ${shown}`);
}
