import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countNonEmptyLines, readLines, type RawLine } from './line-reader';
import { decodeBase64Strict } from './base64';
import { formatBytes } from './limits';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, data: Buffer | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};
const view = (ls: RawLine[]) => ls.map((l) => ('bytes' in l ? `${l.line}:${l.bytes.toString()}` : `${l.line}:tooLong ${l.tooLong}`));

async function all(p: string, maxLineBytes: number, chunkBytes?: number) {
  const out: RawLine[] = [];
  for await (const l of readLines(p, { maxLineBytes, chunkBytes })) out.push(l);
  return out;
}

describe('readLines', () => {
  const text = '\ufeffalpha\r\nbe\n\n' + 'x'.repeat(50) + '\r\ngamma\ndelta';
  const p = write('mixed.txt', text);

  for (const chunk of [1, 2, 3, 7, 1 << 20]) {
    it(`splits lines, strips CR/BOM, skips an over-long line without keeping it (chunk ${chunk})`, async () => {
      expect(view(await all(p, 10, chunk))).toEqual(['1:alpha', '2:be', '3:', '4:tooLong 50', '5:gamma', '6:delta']);
    });
  }

  it('a line exactly at the limit passes, one byte more does not', async () => {
    const q = write('limit.txt', 'abcde\r\nabcdef\n');
    expect(view(await all(q, 5, 2))).toEqual(['1:abcde', '2:tooLong 6']);
  });

  it('counts non-empty lines', async () => {
    expect(await countNonEmptyLines(p)).toBe(5);
    expect(await countNonEmptyLines(write('empty.txt', ''))).toBe(0);
    expect(await countNonEmptyLines(write('crlf.txt', 'a\r\n\r\nb\r\n'))).toBe(2);
  });
});

describe('decodeBase64Strict', () => {
  const data = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);
  const ok = (s: string) => {
    const r = decodeBase64Strict(Buffer.from(s));
    return r.ok ? [...r.bytes] : r.reason;
  };
  it('accepts both alphabets, padded or not', () => {
    expect(data.toString('base64')).toBe('+/+/AAE=');
    expect(ok('+/+/AAE=')).toEqual([...data]);
    expect(ok('-_-_AAE')).toEqual([...data]);
    expect(ok('-_-_AAE=')).toEqual([...data]);
  });
  it('rejects what Buffer.from would silently accept', () => {
    expect(Buffer.from('+/+/A*AE=', 'base64').length).toBeGreaterThan(0); // the silent behaviour we guard against
    expect(ok('+/+/A*AE=')).toBe("has '*' at position 6, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)");
    expect(ok('+/-_AAE=')).toBe('mixes the standard (+/) and URL-safe (-_) base64 alphabets');
    expect(ok('AA=A')).toBe("has '=' padding before the end at position 3, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)");
    expect(ok('AAAAA')).toBe('has 5 base64 characters, a length that cannot encode whole bytes');
    expect(ok('AAA==')).toBe('is padded to 5 characters, not a multiple of 4');
    expect(ok('A===')).toBe("ends in 3 '=' padding characters (at most 2 allowed)");
    expect(ok('')).toBe('is empty');
    expect(ok('AAAA AAAA')).toMatch(/^has ' ' at position 5|^has byte 0x20 at position 5/);
  });
});

describe('formatBytes', () => {
  it('uses binary units like the config defaults', () => {
    expect(formatBytes(80 * 1024 * 1024)).toBe('80 MiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});
