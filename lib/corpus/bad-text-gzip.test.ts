/**
 * Texts no database should store (NUL, nothing visible) are bad lines in every format, and gzip'd
 * corpora read like the plain file whatever their name (magic bytes decide), with the same line
 * numbers, line limit and counts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { countRecords, detectFormat, readCorpus, type CorpusRecord } from './index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-badtext-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
};
async function collect(p: string, opts: Parameters<typeof readCorpus>[1] = {}): Promise<CorpusRecord[]> {
  const out: CorpusRecord[] = [];
  for await (const r of readCorpus(p, opts)) out.push(r);
  return out;
}
const errorsOf = (rs: CorpusRecord[]) => rs.flatMap((r) => (r.kind === 'error' ? [`${r.file ? `${path.basename(r.file)} ` : ''}${r.line}: ${r.reason}`] : []));

// The first lines of the demo corpus: real captions and base64 PNGs.
const DEMO = fs.readFileSync(path.resolve(__dirname, '../../demo/valid.tsv'), 'utf8').split('\n').filter(Boolean).slice(0, 30);
const PNG64 = DEMO[0].split('\t')[1];

describe('text that cannot be stored', () => {
  it('pairs: a NUL in a caption is a bad line naming U+0000; the lines around it are kept', async () => {
    const lines = DEMO.slice(0, 14).map((l, i) => (i === 11 ? `a\u0000b\t${l.split('\t')[1]}` : l));
    const rs = await collect(write('nul.tsv', lines.join('\n') + '\n'));
    expect(errorsOf(rs)).toEqual([
      '12: column 1 (text) contains a NUL character (U+0000) at character 2, which PostgreSQL cannot store (clipdex refuses it on every database)',
    ]);
    expect(rs.filter((r) => r.kind === 'pair')).toHaveLength(13);
  });

  it('a text over 2048 bytes is a bad line (PostgreSQL cannot index it); 2048 bytes exactly is kept', async () => {
    const ok = 'é'.repeat(1024); // 2048 bytes
    const rs = await collect(write('long.txt', `${ok}\n${ok}x\nshort\n`), { format: 'texts' });
    expect(errorsOf(rs)).toEqual([
      '2: text is 2049 bytes (UTF-8), over the 2048-byte limit for one text (PostgreSQL cannot index longer ones; clipdex refuses them on every database)',
    ]);
    expect(rs.filter((r) => r.kind === 'text').map((r) => r.line)).toEqual([1, 3]);
  });

  it('texts: a file of only NUL bytes, control characters or invisible format characters is no text', async () => {
    expect(errorsOf(await collect(write('nuls.txt', Buffer.alloc(5000)), { format: 'texts' }))).toEqual([
      '1: text contains a NUL character (U+0000) at character 1, which PostgreSQL cannot store (clipdex refuses it on every database)',
    ]);
    const rs = await collect(write('controls.txt', '\u0001\u0002\u001b[2J\u001b\n\u200b\u202e\u00a0\nfine\n'), { format: 'texts' });
    expect(errorsOf(rs)).toEqual(['2: text has no visible characters (only control, format or space characters)']);
    // line 1 holds "[2J" after the ESC: visible characters, so it is a text (CLI output escapes the ESC)
    expect(rs.filter((r) => r.kind === 'text').map((r) => r.line)).toEqual([1, 3]);
  });

  it('MUGE JSONL: NUL in "text", "text_id" or an image id, and a lone surrogate, are bad lines of the JSONL', async () => {
    const imgs = write('m/images.tsv', `1\t${PNG64}\n`);
    const texts = write(
      'm/texts.jsonl',
      [
        '{"text_id": 1, "text": "ok", "image_ids": [1]}',
        '{"text_id": 2, "text": "a\\u0000b", "image_ids": [1]}',
        '{"text_id": "x\\u0000", "text": "c", "image_ids": [1]}',
        '{"text_id": 4, "text": "d", "image_ids": ["1\\u0000"]}',
        '{"text_id": 5, "text": "e\\ud800", "image_ids": [1]}',
      ].join('\n'),
    );
    const rs = await collect(imgs, { texts });
    expect(errorsOf(rs)).toEqual([
      'texts.jsonl 2: "text" contains a NUL character (U+0000) at character 2, which PostgreSQL cannot store (clipdex refuses it on every database)',
      'texts.jsonl 3: "text_id" contains a NUL character (U+0000) at character 2, which PostgreSQL cannot store (clipdex refuses it on every database)',
      'texts.jsonl 4: image id "1\\u0000" contains a NUL character (U+0000) at character 2, which PostgreSQL cannot store (clipdex refuses it on every database)',
      'texts.jsonl 5: "text" contains an unpaired UTF-16 surrogate, which is not valid Unicode',
    ]);
  });

  it('MUGE JSONL: a line of NUL bytes is invalid JSON, and the reason quoting it holds no NUL', async () => {
    const imgs = write('m2/images.tsv', `1\t${PNG64}\n`);
    const texts = write('m2/texts.jsonl', Buffer.alloc(300));
    const errs = errorsOf(await collect(imgs, { texts }));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^texts\.jsonl 1: is not valid JSON \(Unexpected token '\\x00'/);
    expect(errs[0]).not.toContain('\u0000');
  });

  it('folder: a caption file with a NUL is reported on its .txt, the image is kept uncaptioned', async () => {
    write('f/a.png', Buffer.from(PNG64, 'base64'));
    write('f/a.txt', 'cat\u0000');
    const rs = await collect(path.join(dir, 'f'));
    expect(errorsOf(rs)).toEqual([
      'a.txt 1: caption contains a NUL character (U+0000) at character 4, which PostgreSQL cannot store (clipdex refuses it on every database)',
    ]);
    expect(rs.find((r) => r.kind === 'image')).toMatchObject({ kind: 'image', file: 'a.png' });
    expect(rs.find((r) => r.kind === 'image' && r.caption !== undefined)).toBeUndefined();
  });
});

describe('gzip', () => {
  const plain = write('demo.tsv', DEMO.join('\n') + '\n');
  const gz = write('demo.tsv.gz', zlib.gzipSync(fs.readFileSync(plain)));
  const sameLines = (rs: CorpusRecord[]) => rs.map((r) => (r.kind === 'pair' ? `${r.line} ${r.text} ${r.image.length}` : `${r.line} ${r.kind}`));

  it('a .tsv.gz is detected and read as the plain file: same records, same line numbers, same count', async () => {
    expect(await detectFormat(gz)).toBe('pairs');
    expect(sameLines(await collect(gz))).toEqual(sameLines(await collect(plain)));
    expect(await countRecords(gz)).toBe(30);
  });

  it('the magic bytes decide, not the name: gzip named .txt is read, and a plain .gz is read plain', async () => {
    const disguised = write('looks-plain.txt', fs.readFileSync(gz));
    expect(await detectFormat(disguised)).toBe('pairs');
    const notGzip = write('not-really.gz', fs.readFileSync(plain));
    expect(sameLines(await collect(notGzip))).toEqual(sameLines(await collect(plain)));
  });

  it('the line limit applies to the decompressed lines, with their numbers', async () => {
    const text = ['short one', 'x'.repeat(5000), 'short two'].join('\n');
    const p = write('long.txt.gz', zlib.gzipSync(text));
    expect(errorsOf(await collect(p, { format: 'texts', maxLineBytes: 1024 }))).toEqual([
      '2: line is 4.9 KiB, over the 1 KiB limit (CLIPDEX_MAX_LINE_BYTES)',
    ]);
  });

  it('a truncated gzip file fails with INVALID_INPUT that says gzip (the reader has yielded the lines before the damage)', async () => {
    const whole = fs.readFileSync(gz);
    const p = write('cut.tsv.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const seen: number[] = [];
    const err = await (async () => {
      for await (const r of readCorpus(p, { format: 'pairs' })) seen.push(r.line);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect((err as Error).message).toMatch(/cut\.tsv\.gz is gzip-compressed but cannot be decompressed \(unexpected end of file\): the file is damaged or cut short/);
    expect(seen.length).toBeGreaterThan(0);
  });
});
