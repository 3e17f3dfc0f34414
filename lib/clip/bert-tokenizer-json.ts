/**
 * A standard BERT WordPiece tokenizer.json, built in memory from a `vocab.txt` (Chinese-CLIP ships
 * only the vocabulary). It is the same object `transformers` writes for BertTokenizerFast, so the
 * maintained @huggingface/tokenizers library does the actual tokenising.
 */
import fs from 'node:fs';
import { AppError } from '../errors';

export function readVocabTxt(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > 0) lines[0] = lines[0].replace(/^\uFEFF/, '');
  return lines;
}

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export function buildBertTokenizerJson(vocabList: string[], opts: { lowercase?: boolean; file?: string } = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  vocabList.forEach((tok, i) => {
    if (!(tok in vocab)) vocab[tok] = i;
  });
  const missing = ['[UNK]', '[CLS]', '[SEP]'].filter((t) => !(t in vocab));
  if (missing.length) {
    throw new AppError('MODEL_INVALID', `${opts.file ?? 'vocab.txt'} is not a BERT vocabulary: it lacks ${missing.join(', ')}`);
  }
  const lowercase = opts.lowercase ?? true;
  const cls = vocab['[CLS]'];
  const sep = vocab['[SEP]'];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.filter((t) => t in vocab).map((t) => ({
      id: vocab[t],
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
