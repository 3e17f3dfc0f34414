/**
 * The sharp adapter: bytes in, 8-bit sRGB RGB pixels out (HWC), with EXIF orientation applied and
 * alpha composited on white. Greyscale, CMYK and 16-bit inputs all come out the same way, so
 * everything downstream (CLIP preprocessing, thumbnails) sees one pixel format.
 */
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors';

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

export function pixelLimitMessage(width: number, height: number, maxPixels: number): string {
  return `image is ${width}×${height} = ${formatMp(width * height)}, over the limit of ${formatMp(maxPixels)} (CLIPDEX_MAX_IMAGE_PIXELS)`;
}

function notAnImage(err: unknown): AppError {
  const why = err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : String(err);
  return new AppError('INVALID_INPUT', `bytes are not a supported image (${why})`, { cause: err });
}

/** Header-only look at the bytes: format and oriented size, with the pixel limit enforced. */
export async function probeImage(bytes: Buffer, opts: DecodeOptions): Promise<{ width: number; height: number; format: string }> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw notAnImage(new Error('empty input'));
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw notAnImage(err);
  }
  const { width, height, format } = meta;
  if (!width || !height || !format) throw notAnImage(new Error('no image size in the header'));
  if (width * height > opts.maxPixels) {
    throw new AppError('INVALID_INPUT', pixelLimitMessage(width, height, opts.maxPixels));
  }
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? height : width, height: swap ? width : height, format };
}

export async function decodeImage(bytes: Buffer, opts: DecodeOptions): Promise<DecodedImage> {
  const { format } = await probeImage(bytes, opts);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: opts.maxPixels })
      .rotate() // EXIF orientation
      .flatten({ background: '#ffffff' }) // no-op without alpha
      .toColourspace('srgb') // greyscale, CMYK (via its ICC/default profile) and 16-bit → 8-bit sRGB
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, format, data };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw notAnImage(err);
  }
}
