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
import { checkSliceable, readSlice, sliceRanges, sliceStarts } from './slices';

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
    const n = (await sliceStarts(file, 100))[0].lastLine;
    expect(n).toBe(8);
    const parts = [];
    for (const r of sliceRanges(n, 3)) parts.push(...(await readSlice(file, 'texts', r.firstLine, r.lastLine, 50)));
    expect(parts).toEqual(whole);
    expect(parts.map((r) => r.line)).toEqual([1, 3, 4, 5, 6, 8]);
    expect(parts.filter((r) => r.kind === 'error').map((r) => r.line)).toEqual([4, 5]);
  });

  it.each([['plain', plain], ['gzip', gz]])('sliceStarts gives the same ranges, and seeking to them reads the same records (%s)', async (kind, file) => {
    const whole = [];
    for await (const r of readCorpus(file, { format: 'texts', maxLineBytes: 50 })) whole.push(r);
    const starts = await sliceStarts(file, 3);
    expect(starts.map(({ firstLine, lastLine }) => ({ firstLine, lastLine }))).toEqual(sliceRanges(8, 3));
    // Offsets worked out here independently: the byte after every third LF of the plain text.
    const bytes = fs.readFileSync(plain);
    const after = (n: number) => {
      let at = -1;
      for (let i = 0; i < n; i++) at = bytes.indexOf(0x0a, at + 1);
      return at + 1;
    };
    expect(starts.map((r) => r.startByte)).toEqual(kind === 'plain' ? [0, after(3), after(6)] : [undefined, undefined, undefined]);
    const parts = [];
    for (const r of starts) parts.push(...(await readSlice(file, 'texts', r.firstLine, r.lastLine, 50, r.startByte)));
    expect(parts).toEqual(whole);
  });

  it('a seeking read starts at its byte: what lies before it is never read', async () => {
    // Line 1 is over the limit and line 2 is "two"; a read from line 2's byte names line 2 and never meets line 1.
    const f = path.join(dir, 'seek.txt');
    fs.writeFileSync(f, `\ufeff${'y'.repeat(80)}\r\ntwo\r\nthree`);
    const [s1, s2] = await sliceStarts(f, 1).then((r) => r.slice(0, 2));
    expect(s1.startByte).toBe(0);
    expect(await readSlice(f, 'texts', 1, 1, 50, s1.startByte)).toEqual([{ kind: 'error', line: 1, reason: expect.stringMatching(/line is 83 bytes, over the 50 bytes limit/) }]);
    expect(await readSlice(f, 'texts', 2, 3, 50, s2.startByte)).toEqual([
      { kind: 'text', line: 2, text: 'two' },
      { kind: 'text', line: 3, text: 'three' },
    ]);
    // The read trusts its byte: one byte further in, line 2 reads "wo" (so the start is used, not found again).
    expect(await readSlice(f, 'texts', 2, 2, 50, s2.startByte! + 1)).toEqual([{ kind: 'text', line: 2, text: 'wo' }]);
    // The last line has no LF and still counts.
    expect((await sliceStarts(f, 2)).map((r) => [r.firstLine, r.lastLine])).toEqual([[1, 2], [3, 3]]);
  });

  it('refuses formats whose records depend on other lines, naming the way out', () => {
    expect(() => checkSliceable('muge')).toThrow(/muge format cannot be ingested in distributed mode.*unset REDIS_URL/);
    expect(() => checkSliceable('folder')).toThrow(/folder format/);
    expect(() => checkSliceable('pairs')).not.toThrow();
  });
});
