export type CorpusFormat = 'pairs' | 'texts' | 'images' | 'muge' | 'folder';

/**
 * One item read from a corpus. `line` is the 1-based line number in the file the record came
 * from (for `folder`, the 1-based position of the image in the sorted listing). `file` names that
 * file when it is not the corpus path itself (the MUGE texts JSONL, a folder's image or caption).
 * `reason` never repeats the line number: print `line ${line}: ${reason}`.
 */
export type CorpusRecord =
  | { kind: 'pair'; line: number; text: string; image: Buffer }
  | { kind: 'text'; line: number; text: string; textId?: string; imageIds?: string[] }
  | { kind: 'image'; line: number; image: Buffer; imageId?: string; caption?: string; file?: string }
  | { kind: 'error'; line: number; reason: string; file?: string };

export interface ReadCorpusOptions {
  /** Skip detection and read as this format. */
  format?: CorpusFormat;
  /** MUGE / Chinese-CLIP texts JSONL (`{"text_id","text","image_ids":[…]}` a line). */
  texts?: string;
  /** Longest line accepted (bytes, line end excluded); default config.maxLineBytes. */
  maxLineBytes?: number;
}
