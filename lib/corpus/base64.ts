/**
 * Strict base64 decoding for both alphabets (standard `+/` and URL-safe `-_`, padded or not).
 * Buffer.from(…, 'base64') silently skips characters it does not know, which would turn a
 * corrupted line into a corrupted image; here every byte is checked first.
 */

// 0 = not allowed, 1 = in both alphabets, 2 = standard only, 3 = URL-safe only.
const CLASS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') CLASS[c.charCodeAt(0)] = 1;
CLASS['+'.charCodeAt(0)] = 2;
CLASS['/'.charCodeAt(0)] = 2;
CLASS['-'.charCodeAt(0)] = 3;
CLASS['_'.charCodeAt(0)] = 3;
const PAD = '='.charCodeAt(0);

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; reason: string };

function describeByte(b: number): string {
  return b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Decodes base64 text given as bytes (ASCII). `reason` says what is wrong, without a prefix.
 *
 * Fast path (issue 13: this check was 80 % of corpus reading): Node's decoder gives 6 bits per
 * alphabet character and nothing for any other byte (lib/corpus/base64.test.ts checks that for
 * every byte value, in every position), so the unpadded text is all-alphabet exactly when the
 * decoded length is ⌊3·n/4⌋ — for the lengths the rules accept (n mod 4 ≠ 1), one stray byte
 * already makes it shorter. The alphabet mix is found by native substring searches. Anything the
 * fast path does not accept goes through the byte-by-byte check, which words the reason.
 */
export function decodeBase64Strict(src: Buffer): Base64Result {
  let end = src.length;
  while (end > 0 && src[end - 1] === PAD) end -= 1;
  const pads = src.length - end;
  if (end > 0 && end % 4 !== 1 && pads <= 2 && (pads === 0 || src.length % 4 === 0)) {
    const text = src.toString('latin1', 0, end);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === Math.floor((end * 3) / 4)) {
      const std = text.includes('+') || text.includes('/');
      if (!std || !(text.includes('-') || text.includes('_'))) return { ok: true, bytes };
    }
  }
  return checkBase64(src);
}

/** The byte-by-byte check: what exactly is wrong (or the decoded bytes after all). */
function checkBase64(src: Buffer): Base64Result {
  let end = src.length;
  if (end === 0) return { ok: false, reason: 'is empty' };
  let pads = 0;
  while (end > 0 && src[end - 1] === PAD) {
    end -= 1;
    pads += 1;
  }
  if (pads > 2) return { ok: false, reason: `ends in ${pads} '=' padding characters (at most 2 allowed)` };
  let sawStd = false;
  let sawUrl = false;
  for (let i = 0; i < end; i++) {
    const k = CLASS[src[i]];
    if (k === 1) continue;
    if (k === 0) {
      const what = src[i] === PAD ? "'=' padding before the end" : describeByte(src[i]);
      return { ok: false, reason: `has ${what} at position ${i + 1}, outside the base64 alphabets (A-Z a-z 0-9 +/ or -_)` };
    }
    if (k === 2) sawStd = true;
    else sawUrl = true;
  }
  if (sawStd && sawUrl) return { ok: false, reason: "mixes the standard (+/) and URL-safe (-_) base64 alphabets" };
  if (end === 0) return { ok: false, reason: 'is only padding' };
  const total = end + pads;
  if (end % 4 === 1) return { ok: false, reason: `has ${end} base64 characters, a length that cannot encode whole bytes` };
  if (pads > 0 && total % 4 !== 0) return { ok: false, reason: `is padded to ${total} characters, not a multiple of 4` };
  // Node's base64 decoder reads both alphabets and tolerates missing padding.
  return { ok: true, bytes: Buffer.from(src.toString('latin1', 0, end), 'base64') };
}
