/**
 * ClipTokenizer: @huggingface/tokenizers on the folder's tokenizer.json (or a BERT tokenizer.json
 * built from vocab.txt), plus what CLIP needs around it: a fixed context length, truncation that
 * keeps the final EOS/[SEP], padding with the tokenizer's pad id, and an attention mask.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { AppError } from '../errors';
import { buildBertTokenizerJson, readVocabTxt } from './bert-tokenizer-json';
import { readJsonFile, type Json, type ModelManifest } from './manifest';
import type { TokenizedBatch } from './types';

export interface ClipTokenizer {
  contextLength: number;
  padId: number;
  encode(texts: string[]): TokenizedBatch;
}

export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  /** tokenizer_config.json `model_max_length` when it is a real length (HF writes 1e30 for "none"). */
  modelMaxLength?: number;
  padId: number;
}

const tokenName = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).content === 'string' ? ((v as Json).content as string) : undefined;

export function loadTokenizer(m: ModelManifest): LoadedTokenizer {
  const tokConfig: Json = m.tokenizerConfig ? readJsonFile(m.tokenizerConfig) : {};
  let json: Json;
  let source: string;
  if (m.tokenizerJson) {
    json = readJsonFile(m.tokenizerJson);
    source = m.tokenizerJson;
  } else if (m.vocabTxt) {
    const lower = tokConfig.do_lower_case;
    json = buildBertTokenizerJson(readVocabTxt(m.vocabTxt), { lowercase: typeof lower === 'boolean' ? lower : true, file: m.vocabTxt });
    source = m.vocabTxt;
  } else {
    throw new AppError('MODEL_INVALID', `model folder ${m.dir} has no tokenizer.json or vocab.txt`);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, tokConfig);
  } catch (err) {
    throw new AppError('MODEL_INVALID', `cannot load the tokenizer from ${source}: ${(err as Error).message}`, { cause: err });
  }
  const textConfig = (m.config.text_config ?? {}) as Json;
  // The tokenizer's own pad token wins: OpenAI CLIP's config.json says pad_token_id 1, which is wrong.
  const candidates = [tokenName(tokConfig.pad_token), tokenName((json.padding as Json | null)?.pad_token), '[PAD]', '<|endoftext|>', '<pad>'];
  let padId: number | undefined;
  for (const c of candidates) {
    if (c === undefined) continue;
    padId = tokenizer.token_to_id(c);
    if (padId !== undefined) break;
  }
  padId ??= typeof textConfig.pad_token_id === 'number' ? textConfig.pad_token_id : 0;
  const mml = tokConfig.model_max_length;
  return {
    tokenizer,
    padId,
    modelMaxLength: typeof mml === 'number' && mml > 1 && mml < 100_000 ? mml : undefined,
  };
}

export function createClipTokenizer(loaded: LoadedTokenizer, contextLength: number): ClipTokenizer {
  const { tokenizer, padId } = loaded;
  return {
    contextLength,
    padId,
    encode(texts: string[]): TokenizedBatch {
      const inputIds: number[][] = [];
      const attentionMask: number[][] = [];
      for (const text of texts) {
        let ids = tokenizer.encode(text).ids;
        // Truncate the content, keep the closing EOS/[SEP] (what HF's truncation + template does).
        if (ids.length > contextLength) ids = [...ids.slice(0, contextLength - 1), ids[ids.length - 1]];
        const n = ids.length;
        const padded = ids.concat(new Array<number>(contextLength - n).fill(padId));
        inputIds.push(padded);
        attentionMask.push(new Array<number>(contextLength).fill(0).fill(1, 0, n));
      }
      return { inputIds, attentionMask };
    },
  };
}
