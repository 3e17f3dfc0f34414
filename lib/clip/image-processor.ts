/**
 * ClipImageProcessor: bytes → CHW float32 as the model's preprocessor_config.json says
 * (transformers' CLIPImageProcessor semantics), or Chinese-CLIP's squash resize. Decoding,
 * orientation, alpha and colour handling are lib/image's; resizing (resample.ts) works on the
 * decoded 8-bit RGB, so the order matches PIL's (composite → resize → crop → rescale → normalise).
 * Downscales run decode + resize as one sharp pipeline (resample.ts decodeResized: the same pixels
 * without a full-size RGB copy and a second pipeline; bench/ingest/preprocess-parts.ts), then the
 * centre crop here, so the whole resize is there for ingest's pixel signatures.
 */
import { AppError } from '../errors';
import { decodeImage, probeImage, type DecodedImage, type ImageHeader } from '../image';
import { createLimiter } from '../map-pool';
import type { Json, ModelManifest } from './manifest';
import type { PreprocessedImage } from './types';
import { canDecodeResized, decodeResized, resizeRgb, type CropBox, type Kernel } from './resample';

export const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface PreprocessSpec {
  /** 'crop': resize the shortest edge to `shortestEdge`, then centre-crop; 'squash': resize to the output size. */
  mode: 'crop' | 'squash';
  shortestEdge?: number;
  width: number;
  height: number;
  kernel: Kernel;
  rescale: number | null;
  mean: number[] | null;
  std: number[] | null;
}

// PIL resample codes as transformers stores them: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic.
const KERNELS: Record<number, Kernel> = { 0: 'nearest', 1: 'lanczos3', 2: 'linear', 3: 'cubic' };

function sizeOf(v: unknown, what: string, file: string): { shortest?: number; h?: number; w?: number } {
  if (typeof v === 'number') return { shortest: v, h: v, w: v };
  if (v && typeof v === 'object') {
    const o = v as Json;
    if (typeof o.shortest_edge === 'number') return { shortest: o.shortest_edge };
    if (typeof o.height === 'number' && typeof o.width === 'number') return { h: o.height, w: o.width };
  }
  throw new AppError('MODEL_INVALID', `${file}: ${what} must be a number, {"shortest_edge": n} or {"height": h, "width": w}; got ${JSON.stringify(v)}`);
}

/** `onnxHW`: the vision input's static [height, width] when the ONNX file declares one. */
export function resolvePreprocessSpec(m: ModelManifest, onnxHW?: [number, number]): PreprocessSpec {
  const o = m.overrides;
  if (m.layout === 'chinese-clip') {
    const s = o.imageSize ?? onnxHW?.[0] ?? 224;
    const w = o.imageSize ?? onnxHW?.[1] ?? 224;
    return { mode: 'squash', width: w, height: s, kernel: 'cubic', rescale: 1 / 255, mean: o.imageMean ?? CLIP_MEAN, std: o.imageStd ?? CLIP_STD };
  }
  const file = `${m.dir}/preprocessor_config.json`;
  const p = m.preprocessorConfig ?? {};
  const kernel = KERNELS[typeof p.resample === 'number' ? p.resample : 3] ?? 'cubic';
  const size = sizeOf(p.size ?? 224, 'size', file);
  const crop = p.crop_size === undefined ? undefined : sizeOf(p.crop_size, 'crop_size', file);
  const doCrop = p.do_center_crop !== false && crop !== undefined;
  const base = {
    kernel,
    rescale: p.do_rescale === false ? null : typeof p.rescale_factor === 'number' ? p.rescale_factor : 1 / 255,
    mean: p.do_normalize === false ? null : (o.imageMean ?? (p.image_mean as number[] | undefined) ?? CLIP_MEAN),
    std: p.do_normalize === false ? null : (o.imageStd ?? (p.image_std as number[] | undefined) ?? CLIP_STD),
  };
  let spec: PreprocessSpec;
  if (size.shortest !== undefined && doCrop) {
    const ch = crop!.h ?? crop!.shortest!;
    const cw = crop!.w ?? crop!.shortest!;
    if (ch > size.shortest || cw > size.shortest) {
      throw new AppError('MODEL_INVALID', `${file}: crop_size ${cw}×${ch} is larger than the resized shortest edge ${size.shortest}`);
    }
    spec = { mode: 'crop', shortestEdge: size.shortest, width: cw, height: ch, ...base };
  } else if (size.h !== undefined && size.w !== undefined && !doCrop) {
    spec = { mode: 'squash', width: size.w, height: size.h, ...base };
  } else {
    throw new AppError(
      'MODEL_INVALID',
      `${file}: unsupported combination (size ${JSON.stringify(p.size)}, do_center_crop ${JSON.stringify(p.do_center_crop)}, crop_size ${JSON.stringify(p.crop_size)}); expected shortest_edge + centre crop, or a fixed size without crop`,
    );
  }
  if (onnxHW && (onnxHW[0] !== spec.height || onnxHW[1] !== spec.width)) {
    throw new AppError(
      'MODEL_INVALID',
      `${file} makes ${spec.width}×${spec.height} images but ${m.visionModel} takes ${onnxHW[1]}×${onnxHW[0]}`,
    );
  }
  return spec;
}

/** Output size of the shortest-edge resize, as transformers computes it (long side truncated). */
export function shortestEdgeSize(width: number, height: number, shortest: number): { width: number; height: number } {
  if (width <= height) return { width: shortest, height: Math.trunc((shortest * height) / width) };
  return { width: Math.trunc((shortest * width) / height), height: shortest };
}

/** The resize target and the centre crop inside it (none when the target is the output size). */
export function resizePlan(width: number, height: number, spec: PreprocessSpec): { width: number; height: number; crop?: CropBox } {
  const target = spec.mode === 'crop' ? shortestEdgeSize(width, height, spec.shortestEdge!) : { width: spec.width, height: spec.height };
  if (spec.mode !== 'crop' || (target.width === spec.width && target.height === spec.height)) return target;
  const crop = {
    left: Math.trunc((target.width - spec.width) / 2),
    top: Math.trunc((target.height - spec.height) / 2),
    width: spec.width,
    height: spec.height,
  };
  return { ...target, crop };
}

/** Resize/crop decoded RGB: 8-bit RGB of the model's input size. */
async function rgbFromDecoded(img: DecodedImage, spec: PreprocessSpec): Promise<Uint8Array> {
  const plan = resizePlan(img.width, img.height, spec);
  const rgb: Uint8Array = await resizeRgb(img.data, img.width, img.height, plan.width, plan.height, spec.kernel);
  return plan.crop ? cropRgb(rgb, plan.width, plan.crop.left, plan.crop.top, plan.crop.width, plan.crop.height) : rgb;
}

/**
 * Resize/crop decoded RGB and turn it into normalised CHW float32: the unfused path whole. A seam
 * for bench/ingest/preprocess-parts.ts, which times it against the fused pipeline; the app goes
 * through preprocessDecoded.
 */
export async function pixelsFromDecoded(img: DecodedImage, spec: PreprocessSpec): Promise<Float32Array> {
  return toChw(await rgbFromDecoded(img, spec), spec);
}

/**
 * Bytes → 8-bit RGB of the model's input size, plus the whole decoded image where this took the
 * unfused path (enlargement, 16-bit): ingest makes small thumbnails from it instead of decoding
 * again. `fuse: false` forces the unfused path (decode, then resize) that the fused one must equal;
 * tests and the benchmark compare the two.
 */
export async function preprocessDecoded(
  bytes: Buffer,
  header: ImageHeader,
  spec: PreprocessSpec,
  maxPixels: number,
  fuse = true,
): Promise<{ rgb: Uint8Array; decoded?: DecodedImage; whole: PreprocessedImage['whole'] }> {
  const plan = resizePlan(header.width, header.height, spec);
  if (fuse && canDecodeResized(header, plan.width, plan.height)) {
    try {
      // Resized whole, cropped here: a crop of libvips' output is the same pixels as libvips' crop.
      const resized = await decodeResized(bytes, header, plan.width, plan.height, spec.kernel, maxPixels);
      const { crop } = plan;
      const rgb = crop ? cropRgb(resized, plan.width, crop.left, crop.top, crop.width, crop.height) : resized;
      return { rgb, whole: { data: resized, width: plan.width, height: plan.height } };
    } catch {
      // Never seen on images that probe well; the unfused path decides (and words the error).
    }
  }
  const whole = async () => {
    const decoded = await decodeImage(bytes, { maxPixels }, header);
    return { rgb: await rgbFromDecoded(decoded, spec), decoded, whole: decoded };
  };
  return header.width * header.height > LARGE_WHOLE_DECODE_PIXELS ? largeWholeDecodes(whole) : whole();
}

/**
 * A whole decode holds width × height × 3 bytes until it is resized; the fused path holds only its
 * output. So large images that take the unfused path (16-bit ones) are decoded two at a time per
 * process, however many images a caller prepares at once (ingest's image lanes, issue 13).
 */
const LARGE_WHOLE_DECODE_PIXELS = 2_000_000;
const largeWholeDecodes = createLimiter(2);

function cropRgb(rgb: Uint8Array, w: number, left: number, top: number, cw: number, ch: number): Uint8Array {
  const out = new Uint8Array(cw * ch * 3);
  for (let y = 0; y < ch; y++) out.set(rgb.subarray(((top + y) * w + left) * 3, ((top + y) * w + left + cw) * 3), y * cw * 3);
  return out;
}

export function toChw(rgb: Uint8Array, spec: Pick<PreprocessSpec, 'width' | 'height' | 'rescale' | 'mean' | 'std'>): Float32Array {
  const plane = spec.width * spec.height;
  if (rgb.length !== plane * 3) throw new AppError('INTERNAL', `expected ${plane * 3} RGB bytes, got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  const scale = spec.rescale ?? 1;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean ? spec.mean[c] : 0;
    const std = spec.std ? spec.std[c] : 1;
    for (let i = 0; i < plane; i++) out[c * plane + i] = (rgb[i * 3 + c] * scale - mean) / std;
  }
  return out;
}


export function createImageProcessor(spec: PreprocessSpec, maxPixels: number) {
  const run = async (bytes: Buffer): Promise<PreprocessedImage> => {
    // Header only, before any decoding: the pixel limit (CLIPDEX_MAX_IMAGE_PIXELS) is checked here.
    const header = await probeImage(bytes, { maxPixels });
    const { rgb, decoded, whole } = await preprocessDecoded(bytes, header, spec, maxPixels);
    return { pixels: toChw(rgb, spec), width: header.width, height: header.height, format: header.format, decoded, header, whole };
  };
  return {
    spec,
    preprocessWithFacts: run,
    async preprocess(bytes: Buffer): Promise<Float32Array> {
      return (await run(bytes)).pixels;
    },
  };
}
