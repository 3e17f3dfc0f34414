/**
 * Slices of a corpus file: ranges cover every line once, and a slice reads exactly its lines with
 * the single-process reader's line numbers and reasons (blank lines skipped, over-long and bad
 * lines as errors), from a plain or a gzip'd file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCorpus } from '../corpus';
import { checkSliceable, lastLineNumber, readSlice, sliceRanges } from './slices';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-slices-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = ['one', '', 'two', 'x'.repeat(100), 'three\tcolumns\there', 'four', '', 'five'];
const plain = path.join(dir, 'texts.txt');
fs.writeFileSync(plain, `${lines.join('\n')}\n`);
const gz = path.join(dir, 'texts.txt.gz');
fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plain)));

describe('sliceRanges', () => {
  it('covers 1..n once, in order, the last slice shorter', () => {
    expect(sliceRanges(10, 4)).toEqual([{ firstLine: 1, lastLine: 4 }, { firstLine: 5, lastLine: 8 }, { firstLine: 9, lastLine: 10 }]);
    expect(sliceRanges(0, 4)).toEqual([]);
  });
});

describe('readSlice', () => {
  it.each([['plain', plain], ['gzip', gz]])('the slices of a %s file together are what readCorpus reads', async (_, file) => {
    const opts = { format: 'texts' as const, maxLineBytes: 50 };
    const whole = [];
    for await (const r of readCorpus(file, opts)) whole.push(r);
    const n = await lastLineNumber(file, 50);
    expect(n).toBe(8);
    const parts = [];
    for (const r of sliceRanges(n, 3)) parts.push(...(await readSlice(file, 'texts', r.firstLine, r.lastLine, 50)));
    expect(parts).toEqual(whole);
    expect(parts.map((r) => r.line)).toEqual([1, 3, 4, 5, 6, 8]);
    expect(parts.filter((r) => r.kind === 'error').map((r) => r.line)).toEqual([4, 5]);
  });

  it('refuses formats whose records depend on other lines, naming the way out', () => {
    expect(() => checkSliceable('muge')).toThrow(/muge format cannot be ingested in distributed mode.*unset REDIS_URL/);
    expect(() => checkSliceable('folder')).toThrow(/folder format/);
    expect(() => checkSliceable('pairs')).not.toThrow();
  });
});
