/**
 * issue 13: the header facts of a plain JPEG read in JavaScript, so that probeImage does not send
 * every JPEG to libuv's pool for sharp's `metadata()` (a round trip each, queued behind the
 * decodes, and ~0.5 CPU-ms). Only the common case is read here: baseline, extended or progressive
 * Huffman 8-bit JPEGs with 1, 3 or 4 components, and at most one Exif block whose orientation is
 * stated plainly or not at all. Anything else (other frame types, 12-bit samples, a second Exif
 * block, an orientation outside 1–8, a truncated or odd segment) returns undefined and sharp
 * decides, as before. What it returns equals what sharp's metadata says for the same bytes
 * (jpeg-header.test.ts compares the two).
 */

/** What probeImage needs from the header, before orientation is applied. */
export interface JpegFacts {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK. */
  components: 1 | 3 | 4;
  /** EXIF orientation, 1 when there is no Exif block. */
  orientation: number;
}

/** SOF0 (baseline), SOF1 (extended sequential), SOF2 (progressive): Huffman-coded, what libjpeg reads everywhere. */
const PLAIN_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** libjpeg's JPEG_MAX_DIMENSION: larger sides are refused while the header is read. */
const MAX_SIDE = 65500;

export function readJpegHeader(b: Uint8Array): JpegFacts | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let pos = 2;
  let frame: Omit<JpegFacts, 'orientation'> | undefined;
  let orientation: number | undefined;
  let exifBlocks = 0;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return undefined;
    const marker = b[pos + 1];
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xda) break; // start of scan: every marker libjpeg reads before the pixels is behind us
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return undefined;
    const len = (b[pos + 2] << 8) | b[pos + 3];
    const start = pos + 4;
    const end = pos + 2 + len;
    if (len < 2 || end > b.length) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame || !PLAIN_FRAMES.has(marker) || len < 8) return undefined;
      const precision = b[start];
      const height = (b[start + 1] << 8) | b[start + 2];
      const width = (b[start + 3] << 8) | b[start + 4];
      const components = b[start + 5];
      if (precision !== 8 || !width || !height || width > MAX_SIDE || height > MAX_SIDE) return undefined;
      if ((components !== 1 && components !== 3 && components !== 4) || len !== 8 + 3 * components) return undefined;
      // What libjpeg checks before the first scan: sampling factors 1–4, quantisation tables 0–3.
      for (let c = 0; c < components; c++) {
        const h = b[start + 7 + 3 * c] >> 4;
        const v = b[start + 7 + 3 * c] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4 || b[start + 8 + 3 * c] > 3) return undefined;
      }
      frame = { width, height, components };
    } else if (marker === 0xe1 && isExif(b, start, end)) {
      if (++exifBlocks > 1) return undefined;
      orientation = exifOrientation(b, start + 6, end);
      if (orientation === undefined) return undefined;
    }
    pos = end;
  }
  if (!frame || pos + 4 > b.length || b[pos] !== 0xff || b[pos + 1] !== 0xda) return undefined;
  return { ...frame, orientation: orientation ?? 1 };
}

function isExif(b: Uint8Array, start: number, end: number): boolean {
  return end - start >= 6 && b[start] === 0x45 && b[start + 1] === 0x78 && b[start + 2] === 0x69 && b[start + 3] === 0x66 && b[start + 4] === 0 && b[start + 5] === 0;
}

/**
 * The orientation in IFD0 of the TIFF structure at [t, end): 1–8 as stated; undefined (sharp
 * decides) when anything is out of the ordinary, and when IFD0 states none (libexif may then find
 * one in another IFD).
 */
function exifOrientation(b: Uint8Array, t: number, end: number): number | undefined {
  if (end - t < 8) return undefined;
  const little = b[t] === 0x49 && b[t + 1] === 0x49;
  if (!little && !(b[t] === 0x4d && b[t + 1] === 0x4d)) return undefined;
  // Every offset read below is checked against `end` first.
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number) => view.getUint16(o, little);
  const u32 = (o: number) => view.getUint32(o, little);
  if (u16(t + 2) !== 42) return undefined;
  const ifd = t + u32(t + 4);
  if (ifd < t + 8 || ifd + 2 > end) return undefined;
  const n = u16(ifd);
  if (ifd + 2 + 12 * n > end) return undefined;
  let found = 0;
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (u16(e) !== 0x0112) continue;
    // SHORT, one value, stored in the entry's first two bytes.
    if (found || u16(e + 2) !== 3 || u32(e + 4) !== 1) return undefined;
    const v = u16(e + 8);
    if (v < 1 || v > 8) return undefined;
    found = v;
  }
  return found || undefined;
}
