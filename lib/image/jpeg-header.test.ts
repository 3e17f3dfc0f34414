/**
 * readJpegHeader (issue 13) against sharp's own metadata: probeImage must say exactly what
 * probeWithSharp says for every JPEG, whether the header is read in JavaScript or left to sharp.
 * The common JPEGs must take the JavaScript path; the unusual ones must fall back.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProbesAsSharp, probeOutcomes } from '../../test/helpers/probe-outcomes';
import { probeImage } from './decode';
import { readJpegHeader } from './jpeg-header';

const ROOT = path.resolve(__dirname, '../..');
const LIMIT = { maxPixels: 40_000_000 };

function texture(w: number, h: number, seed: number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  let s = seed;
  for (let i = 0; i < px.length; i++) px[i] = ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) ^ ((i / 3) % w);
  return px;
}
const raw = (w: number, h: number, seed = 1) => sharp(texture(w, h, seed), { raw: { width: w, height: h, channels: 3 } });

/** The bytes with one more segment (marker, payload) right after SOI. */
function withSegment(jpeg: Buffer, marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

/** An Exif APP1 payload: TIFF in the given byte order, IFD0 with the given (tag, type, count, value) entries. */
function exif(order: 'II' | 'MM', entries: [number, number, number, number][], nextIfd = 0): Buffer {
  const le = order === 'II';
  const t = Buffer.alloc(8 + 2 + 12 * entries.length + 4);
  t.write(order, 0, 'latin1');
  const w16 = (v: number, o: number) => (le ? t.writeUInt16LE(v, o) : t.writeUInt16BE(v, o));
  const w32 = (v: number, o: number) => (le ? t.writeUInt32LE(v, o) : t.writeUInt32BE(v, o));
  w16(42, 2);
  w32(8, 4);
  w16(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const e = 10 + 12 * i;
    w16(tag, e);
    w16(type, e + 2);
    w32(count, e + 4);
    if (type === 3) w16(value, e + 8);
    else w32(value, e + 8);
  });
  w32(nextIfd, 10 + 12 * entries.length);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), t]);
}
const ORIENTATION = 0x0112;

/** [name, bytes, whether the JavaScript reader must read it]. */
const cases: [string, Buffer, boolean][] = [];

beforeAll(async () => {
  const plain = await raw(64, 48).jpeg().toBuffer();
  const fixtures = path.join(ROOT, 'test/fixtures/corpus/images');
  cases.push(['fixture rgb-40x30.jpg', fs.readFileSync(path.join(fixtures, 'rgb-40x30.jpg')), true]);
  cases.push(['fixture cmyk.jpg', fs.readFileSync(path.join(fixtures, 'cmyk.jpg')), true]);
  cases.push(['fixture exif-rotated.jpg', fs.readFileSync(path.join(fixtures, 'exif-rotated.jpg')), true]);
  const parity = path.join(ROOT, 'models/mini-clip/parity/pizza-200x130.jpg');
  if (fs.existsSync(parity)) cases.push(['parity pizza-200x130.jpg', fs.readFileSync(parity), true]);
  cases.push(['baseline 4:2:0', plain, true]);
  cases.push(['1×1', await raw(1, 1).jpeg().toBuffer(), true]);
  cases.push(['odd size 333×17', await raw(333, 17).jpeg({ quality: 30 }).toBuffer(), true]);
  cases.push(['progressive', await raw(120, 90).jpeg({ progressive: true }).toBuffer(), true]);
  cases.push(['4:4:4', await raw(120, 90).jpeg({ chromaSubsampling: '4:4:4', quality: 95 }).toBuffer(), true]);
  cases.push(['optimised Huffman tables', await raw(120, 90).jpeg({ optimiseCoding: true }).toBuffer(), true]);
  cases.push(['mozjpeg settings', await raw(120, 90).jpeg({ mozjpeg: true }).toBuffer(), true]);
  cases.push(['greyscale', await raw(70, 50).greyscale().jpeg().toBuffer(), true]);
  cases.push(['CMYK', await raw(70, 50).toColourspace('cmyk').jpeg().toBuffer(), true]);
  cases.push(['Display P3 ICC profile', await raw(70, 50).withIccProfile('p3').jpeg().toBuffer(), true]);
  for (let o = 1; o <= 8; o++) cases.push([`EXIF orientation ${o} (sharp)`, await raw(70, 50, o).jpeg().withMetadata({ orientation: o }).toBuffer(), true]);
  for (const order of ['II', 'MM'] as const) {
    cases.push([`hand-made Exif ${order}, orientation 6`, withSegment(plain, 0xe1, exif(order, [[0x010f, 2, 4, 0], [ORIENTATION, 3, 1, 6]])), true]);
    cases.push([`hand-made Exif ${order}, orientation 0`, withSegment(plain, 0xe1, exif(order, [[ORIENTATION, 3, 1, 0]])), false]);
    cases.push([`hand-made Exif ${order}, orientation 9`, withSegment(plain, 0xe1, exif(order, [[ORIENTATION, 3, 1, 9]])), false]);
    cases.push([`hand-made Exif ${order}, no orientation`, withSegment(plain, 0xe1, exif(order, [[0x010f, 2, 4, 0]])), false]);
    cases.push([`hand-made Exif ${order}, orientation as a LONG`, withSegment(plain, 0xe1, exif(order, [[ORIENTATION, 4, 1, 3]])), false]);
    cases.push([`hand-made Exif ${order}, two orientations`, withSegment(plain, 0xe1, exif(order, [[ORIENTATION, 3, 1, 3], [ORIENTATION, 3, 1, 6]])), false]);
  }
  const exif6 = exif('II', [[ORIENTATION, 3, 1, 6]]);
  cases.push(['two Exif blocks', withSegment(withSegment(plain, 0xe1, exif6), 0xe1, exif('II', [[ORIENTATION, 3, 1, 3]])), false]);
  cases.push(['Exif with an IFD0 offset past its end', withSegment(plain, 0xe1, Buffer.concat([Buffer.from('Exif\0\0II*\0', 'latin1'), Buffer.from([0xff, 0, 0, 0])])), false]);
  cases.push(['XMP in APP1 (not Exif)', withSegment(plain, 0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>', 'latin1')), true]);
  cases.push(['a comment segment', withSegment(plain, 0xfe, Buffer.from('made by a test', 'latin1')), true]);
  // Fill bytes before a marker are allowed by the standard.
  cases.push(['fill bytes before a marker', Buffer.concat([plain.subarray(0, 2), Buffer.from([0xff, 0xff]), plain.subarray(2)]), true]);
  const sof = plain.indexOf(Buffer.from([0xff, 0xc0]));
  const lossless = Buffer.from(plain);
  lossless[sof + 1] = 0xc3;
  cases.push(['a lossless frame marker (SOF3)', lossless, false]);
  const twelveBit = Buffer.from(plain);
  twelveBit[sof + 4] = 12;
  cases.push(['12-bit precision', twelveBit, false]);
  const badSampling = Buffer.from(plain);
  badSampling[sof + 11] = 0x51; // the first component's sampling factors: 5 × 1
  cases.push(['a sampling factor over 4', badSampling, false]);
  const wide = Buffer.from(plain);
  wide.writeUInt16BE(65501, sof + 7);
  cases.push(['wider than libjpeg reads (65,501 px)', wide, false]);
  cases.push(['truncated before the frame header', plain.subarray(0, sof + 3), false]);
  cases.push(['truncated after the frame header, before the scan', plain.subarray(0, plain.indexOf(Buffer.from([0xff, 0xda]))), false]);
  cases.push(['PNG', await raw(20, 10).png().toBuffer(), false]);
});

describe('readJpegHeader', () => {
  it('probeImage says what sharp says, for every JPEG, read here or left to sharp', async () => {
    expect(cases.length).toBeGreaterThan(40);
    await expectProbesAsSharp(cases, readJpegHeader, LIMIT);
  });

  it('states the facts themselves: size after orientation, components, orientation', async () => {
    const b = await raw(70, 50).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(readJpegHeader(b)).toEqual({ width: 70, height: 50, components: 3, orientation: 6 });
    expect(await probeImage(b, LIMIT)).toEqual({ width: 50, height: 70, format: 'jpeg', depth: 'uchar', orientation: 6, hasAlpha: false, space: 'srgb', pages: 1 });
  });

  it('keeps the pixel limit, with the same message', async () => {
    const b = await raw(400, 300).jpeg().toBuffer();
    const small = { maxPixels: 100_000 };
    const [ours, sharps] = await probeOutcomes(b, small);
    expect(ours).toEqual({ error: 'INVALID_INPUT: image is 400×300 = 0.1 MP, over the limit of 0.1 MP (CLIPDEX_MAX_IMAGE_PIXELS)' });
    expect(ours).toEqual(sharps);
  });
});
