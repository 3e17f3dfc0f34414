/**
 * The reader and the decoder together on the bad-input fixture: every bad line is reported with its
 * number and reason, every good line survives — what ingest reports to the user.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCorpus } from '@/lib/corpus';
import { decodeImage } from '@/lib/image';

const FIX = path.resolve(__dirname, '../fixtures/corpus');

async function check(file: string, opts: Parameters<typeof readCorpus>[1]) {
  const good: string[] = [];
  const bad: string[] = [];
  for await (const r of readCorpus(file, opts)) {
    if (r.kind === 'error') {
      bad.push(`${r.file ? path.basename(r.file) + ' ' : ''}line ${r.line}: ${r.reason}`);
      continue;
    }
    const image = r.kind === 'pair' || r.kind === 'image' ? r.image : undefined;
    if (image) {
      try {
        await decodeImage(image, { maxPixels: 1_000_000 });
      } catch (err) {
        bad.push(`line ${r.line}: ${(err as Error).message}`);
        continue;
      }
    }
    good.push(`${r.line}`);
  }
  return { good, bad };
}

describe('bad input, end to end through decodeImage', () => {
  it('pairs.tsv: 3 good lines kept, 8 bad ones reported in order', async () => {
    const { good, bad } = await check(path.join(FIX, 'pairs.tsv'), { maxLineBytes: 8192 });
    expect(good).toEqual(['1', '8', '12']);
    // the last parenthetical holds library wording (sharp, TextDecoder, env var): shortened
    expect(bad.map((b) => b.replace(/ \([^()]*\)$/, ' (…)'))).toEqual([
      "line 2: column 2 (image) is not valid base64: it has '*' at position 11, outside the base64 alphabets (…)",
      'line 3: bytes are not a supported image (…)',
      'line 4: column 1 (text) is empty',
      'line 5: expected 2 tab-separated columns (text, base64 image), found 3 columns',
      'line 6: column 1 (text) is not valid UTF-8 (…)',
      'line 9: line is 13.3 KiB, over the 8 KiB limit (…)',
      'line 10: image is 1200×1000 = 1.2 MP, over the limit of 1 MP (…)',
      'line 11: column 2 (image) is not valid base64: it has 841 base64 characters, a length that cannot encode whole bytes',
    ]);
  });

  it('folder: the text file named .png is caught by the decoder, captions kept', async () => {
    const { good, bad } = await check(path.join(FIX, 'folder'), {});
    expect(good).toEqual(['1', '2', '3', '5']);
    expect(bad).toEqual([
      'c-empty-caption.txt line 3: caption is empty',
      'line 4: bytes are not a supported image (Input buffer contains unsupported image format)',
    ]);
  });

  it('CRLF + BOM + URL-safe unpadded base64 all decode to real images', async () => {
    const { good, bad } = await check(path.join(FIX, 'crlf-bom.tsv'), {});
    expect(bad).toEqual([]);
    expect(good).toEqual(['1', '2', '4']);
  });

  it('muge: image and text lines with their own numbering', async () => {
    const { good, bad } = await check(path.join(FIX, 'muge/images.tsv'), { texts: path.join(FIX, 'muge/texts.jsonl') });
    expect(good).toEqual(['1', '2', '4', '1', '2', '5']);
    expect(bad.map((b) => b.replace(/ \([^()]*\)$/, ' (…)'))).toEqual([
      "line 3: column 2 (image) is not valid base64: it has '@' at position 845, outside the base64 alphabets (…)",
      'texts.jsonl line 3: is not valid JSON (…)',
      'texts.jsonl line 4: "text" is empty',
    ]);
  });
});
