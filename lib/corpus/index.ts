/**
 * lib/corpus — streaming readers for image-text corpora: EasyNLP pairs (`text<TAB>base64`),
 * one-column texts or base64 images, the Chinese-CLIP/MUGE layout (image TSV + texts JSONL) and
 * folders of image files with `.txt` captions. Readers yield raw image bytes and never hold the
 * whole file; a bad line becomes an `error` record with its line number and the reading goes on.
 * gzip'd files are read decompressed, whatever their name. Checking that the bytes decode as an
 * image is lib/image's job (decodeImage, re-exported by lib/clip).
 */
export type { CorpusFormat, CorpusRecord, ReadCorpusOptions } from './types';
export { readCorpus, countRecords } from './read-corpus';
export { detectFormat, statOrThrow } from './detect';
export { decodeBase64Strict } from './base64';
export { sniffImageType } from './sniff';
