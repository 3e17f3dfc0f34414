/**
 * The sharp adapter: bytes in, 8-bit sRGB RGB pixels out (HWC), with EXIF orientation applied and
 * alpha composited on white. Greyscale, CMYK and 16-bit inputs all come out the same way, so
 * everything downstream (CLIP preprocessing, thumbnails) sees one pixel format.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError } from '../errors';
import { readJpegHeader } from './jpeg-header';
import { readPngHeader } from './png-header';

export interface DecodedImage {
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Container format as sharp names it: jpeg, png, webp, gif, tiff, svg, heif, … */
  format: string;
  /** width × height × 3 bytes, RGB, row-major. */
  data: Buffer;
}

export interface DecodeOptions {
  /** Largest width × height accepted (CLIPDEX_MAX_IMAGE_PIXELS); a guard against decompression bombs. */
  maxPixels: number;
}

const formatMp = (px: number) => {
  const mp = px / 1e6;
  return `${mp >= 100 ? Math.round(mp) : Number(mp.toFixed(1))} MP`;
};

function pixelLimitMessage(width: number, height: number, maxPixels: number): string {
  return `image is ${width}×${height} = ${formatMp(width * height)}, over the limit of ${formatMp(maxPixels)} (CLIPDEX_MAX_IMAGE_PIXELS)`;
}

function notAnImage(err: unknown): AppError {
  return new AppError('INVALID_INPUT', `bytes are not a supported image (${messageOf(err)})`, { cause: err });
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : String(err));

/**
 * libvips keeps one error buffer for the whole process, and sharp reads it after an operation
 * fails. When images fail at the same moment, or one fails while others finish, the message sharp
 * reads can be emptied ("Input buffer has corrupt header:") or hold another image's error: 30 of
 * 320 failures among 16 at once in a scratch run, and one hostile-corpus line in a CI run was
 * reported without its reason. So a failed operation runs again, one failure at a time, until two
 * runs in a row give the same complete message: that message is the image's own. Only failures
 * pay (at most three more runs); a retry that succeeds is the answer.
 */
let failures: Promise<unknown> = Promise.resolve();
const RETRIES = 3;

async function withOwnReason<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (first) {
    if (first instanceof AppError) throw first;
    const settled = failures.then(() => againUntilStable(op, first));
    failures = settled.catch(() => undefined);
    return settled;
  }
}

async function againUntilStable<T>(op: () => Promise<T>, first: unknown): Promise<T> {
  let last = first;
  for (let i = 0; i < RETRIES; i++) {
    try {
      return await op();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const m = messageOf(err);
      if (m === messageOf(last) && !/:$/.test(m)) throw err;
      last = err;
    }
  }
  throw last;
}

/** What the header says, before any pixel is decoded. */
export interface ImageHeader {
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Container format as sharp names it: jpeg, png, webp, gif, tiff, svg, heif, … */
  format: string;
  /** Sample format as sharp names it: uchar (8-bit), ushort (16-bit), float, … ('unknown' if not said). */
  depth: string;
  /** EXIF orientation (1 = as stored). */
  orientation: number;
  hasAlpha: boolean;
  /** Colour space as sharp names it: srgb, b-w, cmyk, … */
  space: string;
  /** Frames or pages (1 for a still image). */
  pages: number;
}

/** Header-only look at the bytes: format and oriented size, with the pixel limit enforced. */
export async function probeImage(bytes: Buffer, opts: DecodeOptions): Promise<ImageHeader> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw notAnImage(new Error('empty input'));
  // issue 13: a plain JPEG's or PNG's header is read here, without a round trip through libuv's pool.
  const jpeg = readJpegHeader(bytes);
  if (jpeg) {
    return checkedHeader(jpeg.width, jpeg.height, opts.maxPixels, {
      format: 'jpeg', depth: 'uchar', orientation: jpeg.orientation, hasAlpha: false, space: JPEG_SPACE[jpeg.components], pages: 1,
    });
  }
  const png = readPngHeader(bytes);
  if (png) return checkedHeader(png.width, png.height, opts.maxPixels, { format: 'png', depth: png.depth, orientation: 1, hasAlpha: png.hasAlpha, space: png.space, pages: 1 });
  return probeWithSharp(bytes, opts);
}

/** How sharp names the interpretation of a JPEG with 1, 3 or 4 components. */
const JPEG_SPACE = { 1: 'b-w', 3: 'srgb', 4: 'cmyk' } as const;

/** probeImage through sharp's `metadata()` alone: every format, and the reference jpeg-header.ts and png-header.ts must equal. */
export async function probeWithSharp(bytes: Buffer, opts: DecodeOptions): Promise<ImageHeader> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw notAnImage(new Error('empty input'));
  let meta: Metadata;
  try {
    meta = await withOwnReason(() => sharp(bytes, { limitInputPixels: false }).metadata());
  } catch (err) {
    throw notAnImage(err);
  }
  const { width, height, format } = meta;
  if (!width || !height || !format) throw notAnImage(new Error('no image size in the header'));
  return checkedHeader(width, height, opts.maxPixels, {
    format,
    depth: meta.depth ?? 'unknown',
    orientation: meta.orientation ?? 1,
    hasAlpha: meta.hasAlpha ?? false,
    space: meta.space ?? 'unknown',
    pages: meta.pages ?? 1,
  });
}

/** The pixel limit, then the size after EXIF orientation. */
function checkedHeader(width: number, height: number, maxPixels: number, rest: Omit<ImageHeader, 'width' | 'height'>): ImageHeader {
  if (width * height > maxPixels) {
    throw new AppError('INVALID_INPUT', pixelLimitMessage(width, height, maxPixels));
  }
  const o = rest.orientation;
  const swap = o >= 5 && o <= 8; // 5–8 are the transposing EXIF orientations; others are ignored
  return { width: swap ? height : width, height: swap ? width : height, ...rest };
}

/**
 * The decoding half of every pipeline that reads an image: EXIF orientation, alpha composited on
 * white, 8-bit sRGB (greyscale, CMYK via its ICC/default profile and 16-bit converted). Callers add
 * their own resize/extract and output (decodeImage: `.removeAlpha().raw()`). sharp orders the steps
 * itself, whatever the call order: ICC/CMYK import → flatten → resize → extract → colourspace, with
 * EXIF orientation before the resize when a pre-resize extract is asked for, after it otherwise.
 */
export function decodePipeline(bytes: Buffer, maxPixels: number): Sharp {
  return sharp(bytes, { limitInputPixels: maxPixels })
    .rotate() // EXIF orientation
    .flatten({ background: '#ffffff' }) // no-op without alpha
    .toColourspace('srgb'); // greyscale, CMYK (via its ICC/default profile) and 16-bit → 8-bit sRGB
}

/**
 * Runs a decodePipeline to its end (`f` must build a new one each call: a failure runs it again,
 * see withOwnReason); failures that are not ours become "not a supported image".
 */
export async function runDecode<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await withOwnReason(f);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw notAnImage(err);
  }
}

/** `header`: what probeImage returned for these bytes, when the caller has it (saves a second probe). */
export async function decodeImage(bytes: Buffer, opts: DecodeOptions, header?: ImageHeader): Promise<DecodedImage> {
  const { format } = header ?? (await probeImage(bytes, opts));
  return runDecode(async () => {
    const { data, info } = await decodePipeline(bytes, opts.maxPixels)
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, format, data };
  });
}
