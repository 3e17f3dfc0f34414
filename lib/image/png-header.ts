/**
 * issue 13: the header facts of a plain PNG read in JavaScript, as jpeg-header.ts does for JPEGs,
 * so that probeImage does not send every PNG to libuv's pool for sharp's `metadata()`. Only the
 * common case is read: a valid IHDR (any colour type and bit depth the format allows, interlaced
 * or not), then the chunks before the first IDAT with their CRCs checked, none of them an Exif
 * chunk (eXIf: sharp reads an orientation from it), an animation (acTL) or a critical chunk other
 * than PLTE. Anything else returns undefined and sharp decides, as before. What it returns equals
 * what sharp's metadata says for the same bytes (png-header.test.ts compares the two).
 */
import { crc32 } from 'node:zlib';

export interface PngFacts {
  width: number;
  height: number;
  /** How sharp names the interpretation: b-w, grey16, srgb, rgb16. */
  space: 'b-w' | 'grey16' | 'srgb' | 'rgb16';
  /** How sharp names the sample format. */
  depth: 'uchar' | 'ushort';
  hasAlpha: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bit depths the format allows for each colour type. */
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Larger sides go to sharp (its own limits decide; the pixel limit is checked either way). */
const MAX_SIDE = 65535;
const IHDR = 0x49484452;
const PLTE = 0x504c5445;
const IDAT = 0x49444154;
const TRNS = 0x74524e53;
const EXIF = 0x65584966;
const ACTL = 0x6163544c;

/** The chunk at `o` if it is whole and its CRC is right: its type and data's end. */
function chunkAt(b: Uint8Array, view: DataView, o: number): { type: number; start: number; end: number } | undefined {
  if (o + 12 > b.length) return undefined;
  const len = view.getUint32(o);
  const end = o + 8 + len;
  if (len > 0x7fffffff || end + 4 > b.length) return undefined;
  if (crc32(b.subarray(o + 4, end)) !== view.getUint32(end)) return undefined;
  return { type: view.getUint32(o + 4), start: o + 8, end };
}

export function readPngHeader(b: Uint8Array): PngFacts | undefined {
  if (b.length < 8 || SIGNATURE.some((v, i) => b[i] !== v)) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ihdr = chunkAt(b, view, 8);
  if (!ihdr || ihdr.type !== IHDR || ihdr.end - ihdr.start !== 13) return undefined;
  const s = ihdr.start;
  const width = view.getUint32(s);
  const height = view.getUint32(s + 4);
  const bitDepth = b[s + 8];
  const colourType = b[s + 9];
  if (!width || !height || width > MAX_SIDE || height > MAX_SIDE) return undefined;
  if (!DEPTHS[colourType]?.includes(bitDepth) || b[s + 10] !== 0 || b[s + 11] !== 0 || b[s + 12] > 1) return undefined;
  let palette = false;
  let transparency = false;
  for (let o = ihdr.end + 4; ; ) {
    const c = chunkAt(b, view, o);
    if (!c) return undefined;
    if (c.type === IDAT) break;
    if (c.type === PLTE) palette = true;
    else if (c.type === TRNS) transparency = true;
    else if (c.type === EXIF || c.type === ACTL || c.type === IHDR) return undefined;
    else if ((b[o + 4] & 0x20) === 0) return undefined; // another critical chunk (IEND before any IDAT, or unknown)
    o = c.end + 4;
  }
  if (colourType === 3 && !palette) return undefined;
  const grey = colourType === 0 || colourType === 4;
  const wide = bitDepth === 16;
  return {
    width,
    height,
    space: grey ? (wide ? 'grey16' : 'b-w') : wide ? 'rgb16' : 'srgb',
    depth: wide ? 'ushort' : 'uchar',
    hasAlpha: colourType === 4 || colourType === 6 || transparency,
  };
}
