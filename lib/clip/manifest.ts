/**
 * Model folder layout detection. Two layouts are understood:
 *  - 'hf': Hugging Face / Transformers.js — onnx/text_model.onnx, onnx/vision_model.onnx (or their
 *    *_quantized.onnx variants when the plain ones are absent), tokenizer.json (or vocab.txt),
 *    preprocessor_config.json, config.json, optional tokenizer_config.json;
 *  - 'chinese-clip': Chinese-CLIP deployment — *.img.fp32.onnx, *.txt.fp32.onnx, vocab.txt.
 * Either may carry a clipdex.json with overrides (name, contextLength, imageSize, logitScale, promptTemplate(Zh),
 * imageMean, imageStd).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import type { ModelLayout } from './types';

const HOW_TO_FIX =
  'Point CLIPDEX_MODEL_DIR at a CLIP model folder (Hugging Face/Transformers.js ONNX layout or a Chinese-CLIP deployment), or build the bundled one — see models/README.md.';

const ClipdexJson = z
  .object({
    name: z.string().min(1).optional(),
    contextLength: z.number().int().min(2).optional(),
    imageSize: z.number().int().min(1).optional(),
    logitScale: z.number().positive().optional(),
    imageMean: z.array(z.number()).length(3).optional(),
    imageStd: z.array(z.number().positive()).length(3).optional(),
    /** Zero-shot prompt for labels not in Chinese, with {} for the label (default CLIP's "a photo of a {}."). */
    promptTemplate: z.string().includes('{}', { message: 'must contain {} where the label goes' }).optional(),
    /** Zero-shot prompt for Chinese labels (default Chinese-CLIP's "一张{}的照片。"). */
    promptTemplateZh: z.string().includes('{}', { message: 'must contain {} where the label goes' }).optional(),
  })
  .strict();
export type ClipdexOverrides = z.infer<typeof ClipdexJson>;

export type Json = Record<string, unknown>;

export interface ModelManifest {
  layout: ModelLayout;
  dir: string;
  /** Relative paths of every file that defines the model (hashed into the model id). */
  files: string[];
  textModel: string;
  visionModel: string;
  tokenizerJson?: string;
  tokenizerConfig?: string;
  vocabTxt?: string;
  config: Json;
  preprocessorConfig?: Json;
  overrides: ClipdexOverrides;
}

const exists = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();

export function readJsonFile(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('MODEL_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Json;
  } catch (err) {
    throw new AppError('MODEL_INVALID', `${file} is not valid JSON (${(err as Error).message}). ${HOW_TO_FIX}`, { cause: err });
  }
}

function readOverrides(dir: string): ClipdexOverrides {
  const file = path.join(dir, 'clipdex.json');
  if (!exists(file)) return {};
  const parsed = ClipdexJson.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('MODEL_INVALID', `${file} is invalid: ${issues}. Allowed keys: name, contextLength, imageSize, logitScale, imageMean, imageStd, promptTemplate, promptTemplateZh.`);
  }
  return parsed.data;
}

/** ONNX external-data files that travel with a model file (`x.onnx_data`, `x.onnx.data`, …). */
function companions(dir: string, rel: string): string[] {
  const folder = path.dirname(rel);
  const base = path.basename(rel);
  return fs
    .readdirSync(path.join(dir, folder))
    .filter((n) => n !== base && n.startsWith(base) && /^[._]/.test(n.slice(base.length)))
    .map((n) => (folder === '.' ? n : `${folder}/${n}`));
}

function pickOnnx(dir: string, stem: string): string | undefined {
  for (const rel of [`onnx/${stem}.onnx`, `onnx/${stem}_quantized.onnx`]) if (exists(path.join(dir, rel))) return rel;
  return undefined;
}

function detectHf(dir: string): ModelManifest | undefined {
  const text = pickOnnx(dir, 'text_model');
  const vision = pickOnnx(dir, 'vision_model');
  if (!text && !vision) return undefined;
  const missing: string[] = [];
  if (!text) missing.push('onnx/text_model.onnx');
  if (!vision) missing.push('onnx/vision_model.onnx');
  const hasTokJson = exists(path.join(dir, 'tokenizer.json'));
  const hasVocab = exists(path.join(dir, 'vocab.txt'));
  if (!hasTokJson && !hasVocab) missing.push('tokenizer.json');
  if (!exists(path.join(dir, 'preprocessor_config.json'))) missing.push('preprocessor_config.json');
  if (missing.length) {
    throw new AppError('MODEL_INVALID', `model folder ${dir} looks like the Hugging Face ONNX layout but is missing ${missing.join(', ')}. ${HOW_TO_FIX}`);
  }
  const files = [text!, vision!, ...companions(dir, text!), ...companions(dir, vision!), 'preprocessor_config.json'];
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'config.json', 'special_tokens_map.json', 'clipdex.json']) {
    if (exists(path.join(dir, f))) files.push(f);
  }
  if (!hasTokJson) files.push('vocab.txt');
  const has = (f: string) => files.includes(f);
  return {
    layout: 'hf',
    dir,
    files: [...new Set(files)].sort(),
    textModel: path.join(dir, text!),
    visionModel: path.join(dir, vision!),
    tokenizerJson: has('tokenizer.json') ? path.join(dir, 'tokenizer.json') : undefined,
    tokenizerConfig: has('tokenizer_config.json') ? path.join(dir, 'tokenizer_config.json') : undefined,
    vocabTxt: has('vocab.txt') ? path.join(dir, 'vocab.txt') : undefined,
    config: has('config.json') ? readJsonFile(path.join(dir, 'config.json')) : {},
    preprocessorConfig: readJsonFile(path.join(dir, 'preprocessor_config.json')),
    overrides: readOverrides(dir),
  };
}

function detectChineseClip(dir: string): ModelManifest | undefined {
  const names = fs.readdirSync(dir);
  const img = names.filter((n) => n.endsWith('.img.fp32.onnx'));
  const txt = names.filter((n) => n.endsWith('.txt.fp32.onnx'));
  if (img.length === 0 && txt.length === 0) return undefined;
  const problems: string[] = [];
  if (img.length !== 1) problems.push(img.length ? `several image models (${img.join(', ')}): keep one` : 'the image model *.img.fp32.onnx');
  if (txt.length !== 1) problems.push(txt.length ? `several text models (${txt.join(', ')}): keep one` : 'the text model *.txt.fp32.onnx');
  if (!names.includes('vocab.txt')) problems.push('vocab.txt (the BERT vocabulary the text model was trained with)');
  if (problems.length) {
    throw new AppError('MODEL_INVALID', `model folder ${dir} looks like a Chinese-CLIP deployment but is missing ${problems.join('; ')}. ${HOW_TO_FIX}`);
  }
  const files = [img[0], txt[0], ...companions(dir, img[0]), ...companions(dir, txt[0]), 'vocab.txt'];
  if (names.includes('clipdex.json')) files.push('clipdex.json');
  return {
    layout: 'chinese-clip',
    dir,
    files: [...new Set(files)].sort(),
    textModel: path.join(dir, txt[0]),
    visionModel: path.join(dir, img[0]),
    vocabTxt: path.join(dir, 'vocab.txt'),
    config: {},
    overrides: readOverrides(dir),
  };
}

export function readModelManifest(dirIn: string): ModelManifest {
  const dir = path.resolve(dirIn);
  if (!fs.existsSync(dir)) {
    throw new AppError('MODEL_MISSING', `model folder not found: ${dir}. ${HOW_TO_FIX}`);
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw new AppError('MODEL_INVALID', `model path is not a folder: ${dir}. ${HOW_TO_FIX}`);
  }
  const m = detectHf(dir) ?? detectChineseClip(dir);
  if (m) return m;
  throw new AppError(
    'MODEL_MISSING',
    `no CLIP model in ${dir}: expected onnx/text_model.onnx + onnx/vision_model.onnx + tokenizer.json + preprocessor_config.json (Hugging Face layout) or *.img.fp32.onnx + *.txt.fp32.onnx + vocab.txt (Chinese-CLIP). ${HOW_TO_FIX}`,
  );
}
