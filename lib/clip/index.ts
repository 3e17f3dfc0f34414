/**
 * lib/clip — CLIP models from a folder: layout detection (Hugging Face/Transformers.js ONNX or
 * Chinese-CLIP deployment), the model's identity (hash of its files), tokenising with
 * @huggingface/tokenizers, sharp preprocessing, batched onnxruntime inference. Every vector that
 * leaves this module is L2-normalised, so a dot product is a cosine similarity.
 */
export type { ClipModel, ClipModelInfo, LoadClipModelOptions, ModelLayout, TokenizedBatch } from './types';
export type { PreprocessedImage } from './types';
export { loadClipModel } from './clip-model';
export { readModelManifest, type ModelManifest } from './manifest';
export { computeModelId } from './model-id';
export { decodeImage, probeImage, type DecodedImage } from '../image';
