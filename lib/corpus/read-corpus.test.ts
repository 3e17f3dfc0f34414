import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countRecords, detectFormat, readCorpus, type CorpusRecord } from './index';
import { sniffImageType } from './sniff';

const FIX = path.resolve(__dirname, '../../test/fixtures/corpus');
const f = (...p: string[]) => path.join(FIX, ...p);

async function collect(p: string, opts: Parameters<typeof readCorpus>[1] = {}): Promise<CorpusRecord[]> {
  const out: CorpusRecord[] = [];
  for await (const r of readCorpus(p, opts)) out.push(r);
  return out;
}
const summary = (rs: CorpusRecord[]) =>
  rs.map((r) =>
    r.kind === 'error'
      ? `${r.line} error ${r.reason}`
      : r.kind === 'pair'
        ? `${r.line} pair ${r.text} ${sniffImageType(r.image)}`
        : r.kind === 'text'
          ? `${r.line} text ${r.text}`
          : `${r.line} image ${sniffImageType(r.image) ?? r.image.length}`,
  );

describe('readCorpus pairs', () => {
  it('keeps good lines around every kind of bad line, with exact line numbers and reasons', async () => {
    const rs = await collect(f('pairs.tsv'), { maxLineBytes: 8192 });
    expect(summary(rs)).toEqual([
      '1 pair a red square png',
      "2 error column 2 (image) is not valid base64: it has '*' at position 11, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)",
      '3 pair not an image undefined',
      '4 error column 1 (text) is empty',
      '5 error expected 2 tab-separated columns (text, base64 image), found 3 columns',
      '6 error column 1 (text) is not valid UTF-8 (at byte 4)',
      '8 pair 一只绿色的方块 png',
      '9 error line is 13.3 KiB, over the 8 KiB limit (CLIPDEX_MAX_LINE_BYTES)',
      '10 pair a huge image png',
      '11 error column 2 (image) is not valid base64: it has 841 base64 characters, a length that cannot encode whole bytes',
      '12 pair a blue square jpeg',
    ]);
    // bytes, not text: line 3's payload is handed on for lib/clip to reject
    const l3 = rs.find((r) => r.line === 3);
    expect(l3?.kind === 'pair' && l3.image.toString()).toBe('hello, I am plain text');
  });

  it('reads the over-long line when the limit allows it', async () => {
    const rs = await collect(f('pairs.tsv'), { maxLineBytes: 64 * 1024 });
    expect(rs.find((r) => r.line === 9)?.kind).toBe('pair');
  });

  it('handles a BOM, CRLF line ends and URL-safe unpadded base64', async () => {
    const rs = await collect(f('crlf-bom.tsv'));
    expect(summary(rs)).toEqual([
      '1 pair first after the BOM png',
      '2 pair url-safe unpadded png',
      '4 pair last jpeg',
    ]);
  });
});

describe('readCorpus texts, images, muge, folder', () => {
  it('texts: one a line', async () => {
    expect(summary(await collect(f('texts.txt')))).toEqual([
      '1 text a cat',
      '3 text 一只猫',
      '4 error text is not valid UTF-8 (at byte 5)',
      '6 error expected 1 column (text), found 2 columns',
      '7 text a dog',
    ]);
  });

  it('images: one base64 image a line, both alphabets', async () => {
    expect(summary(await collect(f('images.txt')))).toEqual([
      '1 image png',
      '2 image png',
      "3 error image is not valid base64: it has '!' at position 1, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)",
      '4 image jpeg',
    ]);
  });

  it('muge: all images first, then texts with their image ids; errors name the JSONL', async () => {
    const texts = f('muge', 'texts.jsonl');
    const rs = await collect(f('muge', 'images.tsv'), { texts });
    expect(rs.map((r) => r.kind)).toEqual(['image', 'image', 'error', 'image', 'text', 'text', 'error', 'error', 'text']);
    expect(rs[0]).toMatchObject({ kind: 'image', line: 1, imageId: '1001' });
    expect(rs[2]).toMatchObject({ kind: 'error', line: 3 });
    expect((rs[2] as { reason: string }).reason).toMatch(/^column 2 \(image\) is not valid base64: it has '@' at position \d+/);
    expect(rs[4]).toMatchObject({ kind: 'text', line: 1, textId: '1', text: '红色方块', imageIds: ['1001'] });
    expect(rs[5]).toMatchObject({ kind: 'text', line: 2, textId: '2', imageIds: ['1002', '1001'] });
    expect(rs[6]).toMatchObject({ kind: 'error', line: 3, file: texts });
    expect((rs[6] as { reason: string }).reason).toMatch(/^is not valid JSON \(/);
    expect(rs[7]).toEqual({ kind: 'error', line: 4, file: texts, reason: '"text" is empty' });
    expect(rs[8]).toMatchObject({ kind: 'text', line: 5, textId: 't5', imageIds: ['1004'] });
  });

  it('folder: images in sorted order with captions; empty captions reported, other files ignored', async () => {
    const rs = await collect(f('folder'));
    const view = rs.map((r) =>
      r.kind === 'image' ? `${r.line} ${r.file} ${r.caption ?? '-'}` : r.kind === 'error' ? `${r.line} ${r.file} error ${r.reason}` : '?',
    );
    expect(view).toEqual([
      '1 a-red.png a red square',
      '2 b-blue.jpg -',
      '3 c-empty-caption.txt error caption is empty',
      '3 c-empty-caption.png -',
      '4 e-not-really.png -',
      '5 sub/d-green.png 绿色方块',
    ]);
  });

  it('refuses a muge read without the texts file and a missing corpus', async () => {
    await expect(collect(f('muge', 'images.tsv'), { format: 'muge' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(collect(f('nope.tsv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('detectFormat and countRecords', () => {
  it('sniffs every fixture', async () => {
    expect(await detectFormat(f('pairs.tsv'))).toBe('pairs');
    expect(await detectFormat(f('crlf-bom.tsv'))).toBe('pairs');
    expect(await detectFormat(f('texts.txt'))).toBe('texts');
    expect(await detectFormat(f('images.txt'))).toBe('images');
    expect(await detectFormat(f('folder'))).toBe('folder');
    expect(await detectFormat(f('muge', 'images.tsv'), { texts: f('muge', 'texts.jsonl') })).toBe('muge');
    // without its texts JSONL an id<TAB>base64 TSV reads as pairs: only the base64 column decides
    expect(await detectFormat(f('muge', 'images.tsv'))).toBe('pairs');
  });

  it('an explicit format overrides detection', async () => {
    const rs = await collect(f('images.txt'), { format: 'texts' });
    expect(rs.every((r) => r.kind === 'text')).toBe(true);
  });

  it('counts non-blank lines / image files', async () => {
    expect(await countRecords(f('pairs.tsv'))).toBe(11);
    expect(await countRecords(f('crlf-bom.tsv'))).toBe(3);
    expect(await countRecords(f('texts.txt'))).toBe(6); // a whitespace-only line still counts: it is an estimate
    expect(await countRecords(f('folder'))).toBe(5);
    expect(await countRecords(f('muge', 'images.tsv'), { texts: f('muge', 'texts.jsonl') })).toBe(9);
  });
});

describe('detectFormat edge cases', () => {
  it('says so when the first lines are all over the line limit, and when a file is empty', async () => {
    await expect(detectFormat(f('pairs.tsv'), { maxLineBytes: 16 })).rejects.toThrow(
      /cannot tell the format of .*pairs\.tsv: its first lines are over the 16 bytes limit \(CLIPDEX_MAX_LINE_BYTES\); raise it or pass --format/,
    );
    const os = await import('node:os');
    const fs = await import('node:fs');
    const empty = path.join(os.tmpdir(), `clipdex-empty-${process.pid}.tsv`);
    fs.writeFileSync(empty, '\n\r\n  \n');
    try {
      await expect(detectFormat(empty)).rejects.toThrow(/has no non-blank lines/);
      expect(await countRecords(empty, { format: 'pairs' })).toBe(1); // the whitespace-only line: an estimate
    } finally {
      fs.rmSync(empty);
    }
  });
});
