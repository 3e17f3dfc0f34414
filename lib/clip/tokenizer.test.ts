import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelManifest } from './manifest';
import { createClipTokenizer, loadTokenizer } from './tokenizer';

const FIX = path.resolve(__dirname, '../../models/fixtures');
const expected = (name: string) => JSON.parse(fs.readFileSync(path.join(FIX, name, 'expected.json'), 'utf8'));

describe('CLIP byte-level BPE (tokenizer.json, input_ids-only fixture)', () => {
  const exp = expected('hf-input-ids-only');
  const loaded = loadTokenizer(readModelManifest(path.join(FIX, 'hf-input-ids-only')));

  it('takes the pad id from the tokenizer, not config.json pad_token_id (1, as in OpenAI CLIP)', () => {
    expect(loaded.padId).toBe(exp.padId);
    expect(loaded.padId).not.toBe(1);
    expect(loaded.modelMaxLength).toBe(16);
  });

  it('matches the Python reference ids, padded and truncated to the context length', () => {
    const tok = createClipTokenizer(loaded, exp.contextLength);
    const got = tok.encode(exp.texts.map((t: { text: string }) => t.text));
    exp.texts.forEach((t: { input_ids: number[]; attention_mask: number[]; ids_unpadded: number[] }, i: number) => {
      expect(got.inputIds[i]).toEqual(t.input_ids);
      expect(got.attentionMask[i]).toEqual(t.attention_mask);
    });
    // the last text is longer than 16 tokens: truncated, ending in EOS
    const long = exp.texts[exp.texts.length - 1];
    expect(long.ids_unpadded.length).toBeGreaterThan(16);
    expect(got.inputIds[exp.texts.length - 1][15]).toBe(exp.padId /* EOS = pad for CLIP */);
    expect(got.attentionMask[exp.texts.length - 1].every((v) => v === 1)).toBe(true);
  });
});

describe('BERT WordPiece built from vocab.txt (Chinese-CLIP fixture)', () => {
  const exp = expected('chinese-clip-tiny');
  const loaded = loadTokenizer(readModelManifest(path.join(FIX, 'chinese-clip-tiny')));
  const tok = createClipTokenizer(loaded, exp.contextLength);

  it('pads with [PAD] = 0 and matches the Python BasicTokenizer + WordPiece reference', () => {
    expect(loaded.padId).toBe(0);
    const got = tok.encode(exp.texts.map((t: { text: string }) => t.text));
    exp.texts.forEach((t: { input_ids: number[] }, i: number) => expect(got.inputIds[i]).toEqual(t.input_ids));
  });

  it('truncates keeping [SEP] last and masks exactly the real tokens', () => {
    const b = tok.encode(['猫'.repeat(60)]);
    const r = { ids: b.inputIds[0], mask: b.attentionMask[0] };
    expect(r.ids.length).toBe(52);
    expect(r.ids[0]).toBe(2); // [CLS]
    expect(r.ids[51]).toBe(3); // [SEP]
    expect(r.mask.every((v) => v === 1)).toBe(true);
    const short = tok.encode(['一只猫']);
    expect(short.attentionMask[0].slice(0, 6)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(short.inputIds[0].slice(0, 5)).toEqual([2, 5, 6, 7, 3]);
    expect(short.inputIds[0].slice(5)).toEqual(new Array(47).fill(0));
  });

  it('splits Chinese characters, lower-cases, strips accents, and maps unknown words to [UNK]', () => {
    const vocab = fs.readFileSync(path.join(FIX, 'chinese-clip-tiny', 'vocab.txt'), 'utf8').split('\n');
    const id = (t: string) => vocab.indexOf(t);
    const ids = tok.encode(['我爱Cats É ☃']).inputIds[0].filter((v) => v !== 0);
    expect(ids).toEqual(['[CLS]', '我', '爱', 'cat', '##s', 'e', '[UNK]', '[SEP]'].map(id));
  });
});

describe('Hugging Face folder with vocab.txt but no tokenizer.json', () => {
  it('builds the BERT tokenizer from the vocabulary and honours do_lower_case', async () => {
    const os = await import('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-vocab-'));
    try {
      fs.cpSync(path.join(FIX, 'hf-input-ids-only'), dir, { recursive: true });
      fs.rmSync(path.join(dir, 'tokenizer.json'));
      fs.copyFileSync(path.join(FIX, 'chinese-clip-tiny', 'vocab.txt'), path.join(dir, 'vocab.txt'));
      const vocab = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n');
      const id = (t: string) => vocab.indexOf(t);
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '[PAD]' }));
      const m = readModelManifest(dir);
      expect(m.files).toContain('vocab.txt');
      const tok = createClipTokenizer(loadTokenizer(m), 8);
      expect(tok.encode(['Red CAR']).inputIds[0]).toEqual([id('[CLS]'), id('red'), id('car'), id('[SEP]'), 0, 0, 0, 0]);
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '[PAD]', do_lower_case: false }));
      const cased = createClipTokenizer(loadTokenizer(readModelManifest(dir)), 8);
      expect(cased.encode(['Red']).inputIds[0][1]).not.toBe(id('red'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
