/**
 * lib/corpus — streaming readers for image-text corpora: EasyNLP pairs (`text<TAB>base64`),
 * one-column texts or base64 images, the Chinese-CLIP/MUGE layout (image TSV + texts JSONL) and
 * folders of image files with `.txt` captions. Readers yield raw image bytes and never hold the
 * whole file; a bad line becomes an `error` record with its line number and the reading goes on.
 * Checking that the bytes decode as an image is lib/clip's job (decodeImage).
 */
export type { CorpusFormat, CorpusRecord, ReadCorpusOptions } from './types';
export { readCorpus, countRecords } from './read-corpus';
export { detectFormat } from './detect';
export { decodeBase64Strict } from './base64';
export { sniffImageType } from './sniff';
