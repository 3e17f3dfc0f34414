import type { DecodedImage, ImageHeader } from '../image';

/** The model input, plus what the header probe learnt on the way (ingest stores these). */
export interface PreprocessedImage {
  pixels: Float32Array;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Container format as sharp names it. */
  format: string;
  /** The whole image as lib/image decodes it, when preprocessing decoded it whole (not fused). */
  decoded?: DecodedImage;
  /**
   * The whole image as preprocessing last saw it, 8-bit RGB: `decoded`, or the model's resize
   * before its centre crop (issue 13: ingest reads the pixel signatures of near-duplicate checks
   * off it instead of decoding the image again).
   */
  whole: { data: Uint8Array; width: number; height: number };
  /** What the header probe said (ingest decides from it whether the original can be its own thumbnail). */
  header: ImageHeader;
}

export type ModelLayout = 'hf' | 'chinese-clip';

export interface ClipModelInfo {
  /** clipdex.json `name`, else config.json `_name_or_path`, else the folder name. */
  name: string;
  layout: ModelLayout;
  dir: string;
  /** sha256 over the model files (relative names + bytes, sorted), first 16 hex chars. */
  id: string;
  dim: number;
  contextLength: number;
  /** Input height (= width for every CLIP we know) of the vision model. */
  imageSize: number;
  /**
   * Multiplier for cosine similarities (CLIP's exp(logit_scale)). config.json `logit_scale` is read
   * as the log value HF stores when it is ≤ ln(100) (CLIP clamps there), else as the scale itself;
   * absent, 100 (CLIP's trained value; `logit_scale_init_value` is only the init). clipdex.json
   * `logitScale` overrides it, as the scale itself.
   */
  logitScale: number;
  /**
   * Zero-shot prompts the model was made for, from clipdex.json `promptTemplate` / `promptTemplateZh`
   * (absent: classification uses CLIP's "a photo of a {}." and Chinese-CLIP's "一张{}的照片。").
   */
  promptTemplates?: { en?: string; zh?: string };
}

export interface TokenizedBatch {
  /** Padded to contextLength. */
  inputIds: number[][];
  attentionMask: number[][];
}

export interface ClipModel {
  info: ClipModelInfo;
  tokenize(texts: string[]): TokenizedBatch;
  encodeTexts(texts: string[]): Promise<Float32Array[]>; // L2-normalised
  preprocessImage(bytes: Buffer): Promise<Float32Array>; // CHW float32, throws AppError INVALID_INPUT
  /**
   * preprocessImage plus what it learnt anyway: the header facts (oriented size, format), so no second
   * probe, and the decoded image when it decoded it whole (small images: ingest's thumbnail source).
   */
  preprocessImageWithFacts(bytes: Buffer): Promise<PreprocessedImage>;
  encodePixels(pixels: Float32Array[]): Promise<Float32Array[]>; // L2-normalised
  encodeImages(images: Buffer[]): Promise<Float32Array[]>; // preprocess + encodePixels
  close(): Promise<void>;
}

export interface LoadClipModelOptions {
  /** intra-op threads per ONNX session (default config.threads). */
  threads?: number;
  /** Pixel limit for decoded images (default config.maxImagePixels). */
  maxImagePixels?: number;
  /** Largest batch run through a session at once (default config.batchSize). */
  batchSize?: number;
  /** Run the image tower in a worker thread (bulk embedding: ingest); CLIPDEX_ONNX_WORKER=1/0 overrides. */
  imageTowerInWorker?: boolean;
}
