/**
 * decodeBase64Strict's fast path (decoded length + native searches) must accept and refuse
 * exactly what the byte-by-byte check does, with the same reasons: it relies on Node's decoder
 * giving nothing for a byte outside the alphabets, which this file checks for every byte value.
 */
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict } from './base64';

const ALPHABET = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_');

// A reference with no shortcut: the rules of the module note, spelled out.
function reference(s: string): string | Buffer {
  let end = s.length;
  while (end > 0 && s[end - 1] === '=') end--;
  const pads = s.length - end;
  if (s.length === 0) return 'empty';
  if (pads > 2) return 'pads';
  for (let i = 0; i < end; i++) if (!ALPHABET.has(s[i])) return `bad@${i + 1}`;
  const body = s.slice(0, end);
  if (/[+/]/.test(body) && /[-_]/.test(body)) return 'mix';
  if (end === 0) return 'only padding';
  if (end % 4 === 1) return 'length';
  if (pads > 0 && s.length % 4 !== 0) return 'padded';
  return Buffer.from(body, 'base64');
}

function check(s: string) {
  const r = decodeBase64Strict(Buffer.from(s, 'latin1'));
  const ref = reference(s);
  if (Buffer.isBuffer(ref)) {
    expect(r.ok, s).toBe(true);
    if (r.ok) expect(r.bytes.equals(ref), s).toBe(true);
  } else {
    expect(r.ok, `${JSON.stringify(s)} should fail (${ref})`).toBe(false);
    if (!r.ok && ref.startsWith('bad@')) expect(r.reason, s).toContain(`at position ${ref.slice(4)}`);
  }
}

describe('decodeBase64Strict fast path', () => {
  it('refuses any byte outside the alphabets, in any position, for every length class', () => {
    for (let c = 0; c < 256; c++) {
      const ch = String.fromCharCode(c);
      for (const base of ['QUJDREVG', 'QUJDREU', 'QUJDRA', 'QUJD', 'QUJDREVGR0g', '+/+/AAE', '-_-_AAE']) {
        for (let pos = 0; pos <= base.length; pos++) {
          const s = base.slice(0, pos) + ch + base.slice(pos);
          check(s);
          check(`${s}=`);
          check(`${s}==`);
        }
      }
    }
  });

  it('agrees with the reference on random strings and mutations', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const chars = 'ABCxyz019+/-_= \t*\u00e9\u0000';
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rnd() * 14);
      check(Array.from({ length: len }, () => chars[Math.floor(rnd() * chars.length)]).join(''));
      const good = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))).toString(rnd() < 0.5 ? 'base64' : 'base64url');
      check(good);
      const i = Math.floor(rnd() * (good.length + 1));
      check(good.slice(0, i) + chars[Math.floor(rnd() * chars.length)] + good.slice(i));
    }
  });

  it('keeps the exact reasons of the byte-by-byte check', () => {
    const reason = (s: string) => {
      const r = decodeBase64Strict(Buffer.from(s, 'latin1'));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('QUJD*RA==')).toBe("has '*' at position 5, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)");
    expect(reason('QUJD\u00ffRA==')).toBe('has byte 0xff at position 5, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)');
    expect(reason('QU=JD')).toBe("has '=' padding before the end at position 3, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)");
    expect(reason('QUJDR')).toBe('has 5 base64 characters, a length that cannot encode whole bytes');
    expect(reason('QUJDRA=')).toBe('is padded to 7 characters, not a multiple of 4');
    expect(reason('QUJD===')).toBe("ends in 3 '=' padding characters (at most 2 allowed)");
    expect(reason('==')).toBe('is only padding');
    expect(reason('')).toBe('is empty');
    expect(reason('+/-_AAE=')).toBe('mixes the standard (+/) and URL-safe (-_) base64 alphabets');
    expect(reason('QUJDRA')).toBe('ok');
  });
});
