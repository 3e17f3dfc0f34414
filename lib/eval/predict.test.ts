/**
 * predict's line contract (EasyNLP writes one output line per input line): blank lines, the header
 * (--skip-first-line), --append-cols, a MUGE image TSV without its texts, and format detection
 * that digit captions do not fool.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../corpus';
import { predictFeatures } from './predict';
import { b64, fakeModel, fakeVector } from '../../test/helpers/fake-model';

let dir: string;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
/** Output lines (the final newline dropped), each split on tabs. */
const readOut = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? [] : l.split('\t')));
const vec = (cells: string[], dim = 8) => Float32Array.from(cells.slice(0, dim).map(Number));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-predict-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('predict: one output line per input line', () => {
  const pairs = [`cat\t${b64('cat')}`, '', `dog\t${b64('dog')}`, '   ', `owl\t${b64('owl')}`, ''].join('\n') + '\n';

  it('stops at a blank line, naming it, and writes nothing', async () => {
    const file = write('blank.tsv', pairs);
    const out = path.join(dir, 'blank-out.tsv');
    await expect(predictFeatures(file, fakeModel(), { input: 'text', output: out })).rejects.toThrow(/^line 2: is blank: .*--blank-lines empty/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
  });

  it('with blank lines "empty", writes an empty line for each, so output line N is input line N', async () => {
    const file = write('blank.tsv', pairs);
    const out = path.join(dir, 'blank-empty.tsv');
    const s = await predictFeatures(file, fakeModel(), { input: 'image', output: out, blankLines: 'empty', batchSize: 2 });
    expect(s).toMatchObject({ lines: 6, vectors: 3, blank: 3 });
    const got = readOut(out);
    expect(got.map((c) => c.length)).toEqual([8, 0, 8, 0, 8, 0]);
    expect(vec(got[0])).toEqual(fakeVector('cat'));
    expect(vec(got[2])).toEqual(fakeVector('dog'));
    expect(vec(got[4])).toEqual(fakeVector('owl'));
  });

  it('skips a header line and appends columns by name (from the header or the layout) or by number', async () => {
    const file = write('header.tsv', [`caption\tbase64 image`, `cat\t${b64('cat')}`, `dog\t${b64('dog')}`].join('\n') + '\n');
    const out = path.join(dir, 'header-out.tsv');
    await predictFeatures(file, fakeModel(), { input: 'image', output: out, skipFirstLine: true, appendCols: ['caption'], format: 'pairs' });
    const got = readOut(out);
    expect(got).toHaveLength(2);
    expect(got.map((c) => c.slice(8))).toEqual([['cat'], ['dog']]);
    expect(vec(got[1])).toEqual(fakeVector('dog'));
    // without the header line the layout's names apply; numbers count from 1
    const plain = write('plain.tsv', [`cat\t${b64('cat')}`, `dog\t${b64('dog')}`].join('\n') + '\n');
    await predictFeatures(plain, fakeModel(), { input: 'text', output: out, appendCols: ['text', '2'] });
    expect(readOut(out).map((c) => c.slice(8))).toEqual([
      ['cat', b64('cat')],
      ['dog', b64('dog')],
    ]);
    // without --skip-first-line the header is an input line like any other: its image column is bad
    await expect(predictFeatures(file, fakeModel(), { input: 'image', output: out, format: 'pairs' })).rejects.toThrow(/^line 1: column 2 \(image\) is not valid base64/);
  });

  it('refuses unknown columns with the names it knows', async () => {
    const file = write('cols.tsv', `cat\t${b64('cat')}\n`);
    const out = path.join(dir, 'cols-out.tsv');
    await expect(predictFeatures(file, fakeModel(), { input: 'text', output: out, appendCols: ['label'] })).rejects.toThrow(/"label": no such column; the columns are 1=text, 2=image/);
    await expect(predictFeatures(file, fakeModel(), { input: 'text', output: out, appendCols: ['3'] })).rejects.toThrow(/has 2 columns \(text, image\); use 1 to 2/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exports a MUGE image TSV with --input image and no texts file, ids appended', async () => {
    const tsv = write('imgs.tsv', [`1000\t${b64('cat')}`, `1001\t${b64('dog')}`].join('\n') + '\n');
    const out = path.join(dir, 'muge-out.tsv');
    // detected as pairs (column 2 is the image): image_id is column 1
    await predictFeatures(tsv, fakeModel(), { input: 'image', output: out, appendCols: ['1'] });
    expect(readOut(out).map((c) => c.slice(8))).toEqual([['1000'], ['1001']]);
    // the MUGE layout asked for by name needs no texts file for images
    await predictFeatures(tsv, fakeModel(), { input: 'image', output: out, format: 'muge', appendCols: ['image_id'] });
    const got = readOut(out);
    expect(got.map((c) => c.slice(8))).toEqual([['1000'], ['1001']]);
    expect(vec(got[1])).toEqual(fakeVector('dog'));
    await expect(predictFeatures(tsv, fakeModel(), { input: 'text', output: out, format: 'muge' })).rejects.toThrow(/give it with --texts/);
  });

  it('exports MUGE texts line for line with JSONL keys appended, naming the JSONL in errors', async () => {
    const tsv = write('imgs2.tsv', `1\t${b64('cat')}\n`);
    const jsonl = write('texts.jsonl', [JSON.stringify({ text_id: 7, text: 'cat', image_ids: [1] }), '', JSON.stringify({ text_id: 8, text: 'dog', image_ids: [] })].join('\n') + '\n');
    const out = path.join(dir, 'texts-out.tsv');
    await expect(predictFeatures(tsv, fakeModel(), { input: 'text', output: out, texts: jsonl })).rejects.toThrow(new RegExp(`^${jsonl}: line 2: is blank`));
    await predictFeatures(tsv, fakeModel(), { input: 'text', output: out, texts: jsonl, blankLines: 'empty', appendCols: ['text_id', 'image_ids'] });
    const got = readOut(out);
    expect(got.map((c) => c.slice(8))).toEqual([['7', '[1]'], [], ['8', '[]']]);
    expect(vec(got[2])).toEqual(fakeVector('dog'));
  });
});

describe('format detection', () => {
  it('keeps a pairs file whose captions are all digits as pairs (the base64 column decides)', async () => {
    const file = write('digits.tsv', [`7\t${b64('seven')}`, `1\t${b64('one')}`, `7\t${b64('another seven')}`].join('\n') + '\n');
    expect(await detectFormat(file)).toBe('pairs');
    const out = path.join(dir, 'digits-out.tsv');
    await predictFeatures(file, fakeModel(), { input: 'text', output: out });
    expect(readOut(out).map((c) => vec(c))).toEqual(['7', '1', '7'].map(fakeVector));
    expect(await detectFormat(file, { texts: 'texts.jsonl' })).toBe('muge');
  });
});
