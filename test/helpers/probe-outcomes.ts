/**
 * What probeImage and sharp's own probe (probeWithSharp) say of the same bytes, errors included as
 * `{ error: 'CODE: message' }`: the JPEG and PNG header readers (lib/image) must say what sharp says.
 */
import { expect } from 'vitest';
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

/**
 * For each [name, bytes, read here]: `read` (a header reader) reads the bytes in JavaScript exactly
 * where expected, and probeImage's outcome equals sharp's own.
 */
export async function expectProbesAsSharp(cases: [string, Buffer, boolean][], read: (b: Buffer) => unknown, opts: DecodeOptions): Promise<void> {
  for (const [name, bytes, ours] of cases) {
    expect(read(bytes) !== undefined, `${name}: read in JavaScript`).toBe(ours);
    const [probed, sharps] = await probeOutcomes(bytes, opts);
    expect(probed, name).toEqual(sharps);
  }
}
