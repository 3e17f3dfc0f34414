/**
 * The near-duplicate threshold: two images are near-duplicates when min(CLIP cosine, pixel
 * correlation) ≥ it (detect.ts). The setting is CLIPDEX_DUPLICATE_THRESHOLD, parsed with the others
 * in lib/config (`Config.duplicateThreshold`, whose default must stay DEFAULT_DUPLICATE_THRESHOLD:
 * groups.test.ts checks); a threshold a user types (CLI, API) goes through `checkThreshold`.
 */
import { AppError } from '../errors';

/**
 * 0.95, measured (bench/duplicates/threshold-results.txt, README "Near-duplicates"): with mini-clip
 * it links 98–100 % of 0.5× resized, JPEG-recompressed and resized+recompressed copies of the 1,121
 * demo images to their original (93 % of 5 %-cropped, 88 % of 10 %-corner-cropped), and 120 of the
 * 3,022 pairs of distinct demo images whose CLIP similarity is ≥ 0.9 (mostly one drawing in two
 * near-identical renderings: Fluent flat vs colour, near-identical flags, cat-face variants).
 * 0.97 halves those (53) but drops cropped copies to 66–82 %.
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.95;

/** A threshold from a user (CLI flag, API parameter, setting): a number in (0, 1]. */
export function checkThreshold(raw: unknown, what = 'threshold'): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new AppError('INVALID_INPUT', `${what} must be a number above 0 and at most 1 (a similarity; ${DEFAULT_DUPLICATE_THRESHOLD} by default), got ${JSON.stringify(String(raw).slice(0, 40))}`);
  }
  return n;
}
