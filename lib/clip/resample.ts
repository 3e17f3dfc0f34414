/**
 * Resizing decoded RGB the way PIL's Image.resize does, which is what the Python side of every
 * CLIP (transformers' CLIPImageProcessor, Chinese-CLIP's torchvision transforms) uses.
 *
 * Downscaling runs in sharp (libvips' antialiased cubic: measured to agree with PIL's bicubic on
 * ramps). Upscaling does not: libvips samples upsized images half a source pixel off PIL's
 * pixel-centre convention (a 40→80 ramp comes out shifted by 0.5 px), which moved every value of
 * a 30→32 fixture by 4–5 levels. Upscaling only happens when the image is smaller than the model
 * input, so it is cheap to do here with PIL's own separable algorithm (Catmull-Rom, a = −0.5,
 * taps clipped at the border and renormalised, 22-bit fixed-point weights, horizontal pass first).
 *
 * decodeResized fuses the downscaling case into the decode: one sharp pipeline from the encoded
 * bytes instead of decode → raw RGB → a second pipeline. libvips then runs the same operations on
 * the same 8-bit image, so the pixels are equal to decodeImage + resizeRgb (measured: max |Δ| 0
 * levels with every kernel on JPEG, PNG, WebP, GIF, TIFF, greyscale, CMYK, ICC, alpha and all 8
 * EXIF orientations; lib/clip/fused-preprocess.test.ts keeps most of these), provided that:
 * - libjpeg/libwebp shrink-on-load stays off. `fastShrinkOnLoad: false` alone is not enough (sharp
 *   still shrinks JPEGs on load by 2 when the factor is ≥ 4, e.g. 500 → 96 px, up to 10 levels
 *   off, 140 with 'nearest'); a pre-resize extract of the whole frame turns it off entirely, and
 *   also makes sharp orient before resizing rather than after (1 level off on 90°-rotated squash);
 * - the image is 8-bit: a 16-bit one would be resized before its conversion to 8 bits (1–2 levels
 *   off), so those keep the unfused path, as does any enlargement (see above).
 */
import sharp from 'sharp';
import { decodePipeline, runDecode, type ImageHeader } from '../image';

export type Kernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

const PRECISION_BITS = 32 - 8 - 2;

function cubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}
function linear(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}
function sinc(x: number): number {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}
function lanczos(x: number): number {
  return x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}
const FILTERS: Record<Exclude<Kernel, 'nearest'>, { fn: (x: number) => number; support: number }> = {
  linear: { fn: linear, support: 1 },
  cubic: { fn: cubic, support: 2 },
  lanczos3: { fn: lanczos, support: 3 },
};

interface Coeffs {
  start: Int32Array;
  size: Int32Array;
  k: Int32Array; // fixed point, `taps` per output pixel
  taps: number;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc. */
function coeffs(inSize: number, outSize: number, kernel: Exclude<Kernel, 'nearest'>): Coeffs {
  const { fn, support: base } = FILTERS[kernel];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = base * filterscale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const k = new Int32Array(outSize * taps);
  const w = new Float64Array(taps);
  for (let x = 0; x < outSize; x++) {
    const center = (x + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let j = 0; j < xmax; j++) {
      const v = fn((j + xmin - center + 0.5) * ss);
      w[j] = v;
      total += v;
    }
    for (let j = 0; j < xmax; j++) {
      const v = total !== 0 ? w[j] / total : 0;
      k[x * taps + j] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    start[x] = xmin;
    size[x] = xmax;
  }
  return { start, size, k, taps };
}

const clip8 = (v: number) => {
  const r = v >> PRECISION_BITS;
  return r < 0 ? 0 : r > 255 ? 255 : r;
};

// A corpus has few distinct sizes (every demo emoji is 72 → 96): the weights are computed once each.
const COEFFS = new Map<string, Coeffs>();
function cachedCoeffs(inSize: number, outSize: number, kernel: Exclude<Kernel, 'nearest'>): Coeffs {
  const key = `${inSize}:${outSize}:${kernel}`;
  let c = COEFFS.get(key);
  if (!c) {
    if (COEFFS.size >= 256) COEFFS.clear(); // bounded: a folder of odd sizes cannot grow it forever
    c = coeffs(inSize, outSize, kernel);
    COEFFS.set(key, c);
  }
  return c;
}

/**
 * One PIL pass along x (horizontal) or y (vertical) over RGB bytes. Two loops rather than one with
 * the direction tested per tap: this runs on the event loop for every image that is enlarged
 * (the demo's 72 px emoji), and the split halves its cost (issue 13). Same integer arithmetic,
 * same bytes (resample.test.ts compares with PIL).
 */
function pass(src: Uint8Array, w: number, h: number, out: number, horizontal: boolean, kernel: Exclude<Kernel, 'nearest'>): Uint8Array {
  const { start, size, k, taps } = cachedCoeffs(horizontal ? w : h, out, kernel);
  const ow = horizontal ? out : w;
  const oh = horizontal ? h : out;
  const dst = new Uint8Array(ow * oh * 3);
  const half = 1 << (PRECISION_BITS - 1);
  let di = 0;
  if (horizontal) {
    for (let y = 0; y < oh; y++) {
      const row = y * w * 3;
      for (let x = 0; x < ow; x++) {
        const n = size[x];
        const kb = x * taps;
        let si = row + start[x] * 3;
        let r = half;
        let g = half;
        let b = half;
        for (let j = 0; j < n; j++, si += 3) {
          const kk = k[kb + j];
          r += src[si] * kk;
          g += src[si + 1] * kk;
          b += src[si + 2] * kk;
        }
        dst[di++] = clip8(r);
        dst[di++] = clip8(g);
        dst[di++] = clip8(b);
      }
    }
    return dst;
  }
  const stride = w * 3;
  for (let y = 0; y < oh; y++) {
    const n = size[y];
    const kb = y * taps;
    const first = start[y] * stride;
    for (let x = 0; x < ow; x++) {
      let si = first + x * 3;
      let r = half;
      let g = half;
      let b = half;
      for (let j = 0; j < n; j++, si += stride) {
        const kk = k[kb + j];
        r += src[si] * kk;
        g += src[si + 1] * kk;
        b += src[si + 2] * kk;
      }
      dst[di++] = clip8(r);
      dst[di++] = clip8(g);
      dst[di++] = clip8(b);
    }
  }
  return dst;
}

/** Resize RGB bytes (w×h) to tw×th with PIL's semantics; see the module note for who does what. */
export async function resizeRgb(rgb: Uint8Array, w: number, h: number, tw: number, th: number, kernel: Kernel): Promise<Uint8Array> {
  if (tw === w && th === h) return rgb;
  if ((tw <= w && th <= h) || kernel === 'nearest') {
    return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .resize(tw, th, { fit: 'fill', kernel })
      .raw({ depth: 'uchar' })
      .toBuffer();
  }
  let out = rgb;
  if (tw !== w) out = pass(out, w, h, tw, true, kernel);
  if (th !== h) out = pass(out, tw, h, th, false, kernel);
  return out;
}

/** Whether decodeResized gives exactly decodeImage + resizeRgb for this image and target size. */
export function canDecodeResized(header: Pick<ImageHeader, 'width' | 'height' | 'depth'>, tw: number, th: number): boolean {
  return header.depth === 'uchar' && tw <= header.width && th <= header.height;
}

export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Decode (oriented, flattened, 8-bit sRGB) and resize to tw×th in one sharp pipeline: RGB bytes.
 * Only where canDecodeResized says so; the pixel limit is the caller's probe's job (as for
 * decodeImage) plus sharp's limitInputPixels. A centre crop is the caller's (image-processor.ts):
 * it keeps the whole resize for the pixel signatures.
 */
export async function decodeResized(bytes: Buffer, header: ImageHeader, tw: number, th: number, kernel: Kernel, maxPixels: number): Promise<Buffer> {
  return runDecode(async () => {
    const { data, info } = await decodePipeline(bytes, maxPixels)
      // The whole oriented frame: a no-op crop that turns shrink-on-load off (see the module note).
      .extract({ left: 0, top: 0, width: header.width, height: header.height })
      .resize(tw, th, { fit: 'fill', kernel, fastShrinkOnLoad: false })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== tw || info.height !== th) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${tw}×${th}×3`);
    }
    return data;
  });
}
