/**
 * What probeImage and sharp's own probe (probeWithSharp) say of the same bytes, errors included as
 * `{ error: 'CODE: message' }`: the JPEG and PNG header readers (lib/image) must say what sharp says.
 */
import { AppError } from '../../lib/errors';
import { probeImage, probeWithSharp, type DecodeOptions } from '../../lib/image/decode';

async function outcome(f: () => Promise<unknown>): Promise<unknown> {
  try {
    return await f();
  } catch (err) {
    return { error: err instanceof AppError ? `${err.code}: ${err.message}` : 'other' };
  }
}

/** [probeImage's outcome, probeWithSharp's outcome]. */
export async function probeOutcomes(bytes: Buffer, opts: DecodeOptions): Promise<[unknown, unknown]> {
  return [await outcome(() => probeImage(bytes, opts)), await outcome(() => probeWithSharp(bytes, opts))];
}
