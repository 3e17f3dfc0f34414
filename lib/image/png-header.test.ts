/**
 * readPngHeader (issue 13) against sharp's own metadata: probeImage must say exactly what
 * probeWithSharp says for every PNG, whether the header is read in JavaScript or left to sharp.
 * The common PNGs (every colour type and bit depth, palettes with and without transparency,
 * interlaced, ICC profiles, the demo corpus) must take the JavaScript path; the unusual ones
 * (Exif, animation, bad CRCs, unknown critical chunks, truncation) must fall back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProbesAsSharp, probeOutcomes } from '../../test/helpers/probe-outcomes';
import { readPngHeader } from './png-header';

const ROOT = path.resolve(__dirname, '../..');
const LIMIT = { maxPixels: 40_000_000 };

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG written here: any colour type and bit depth, `extra` chunks between IHDR and IDAT. */
function png(w: number, h: number, bitDepth: number, colourType: number, extra: Buffer[] = [], interlace = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  ihdr[12] = interlace;
  const rowBytes = Math.ceil((w * CHANNELS[colourType] * bitDepth) / 8);
  const maxIndex = colourType === 3 ? 1 : 255; // palette indices stay inside a 2-entry palette
  const raw = Buffer.alloc((rowBytes + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < rowBytes; x++) raw[y * (rowBytes + 1) + 1 + x] = colourType === 3 ? (bitDepth === 8 ? (x + y) % (maxIndex + 1) : 0) : (x * 7 + y * 13) & 255;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const plte = (colours: number[][]) => chunk('PLTE', Buffer.from(colours.flat()));
const trns = (bytes: number[]) => chunk('tRNS', Buffer.from(bytes));

function texture(w: number, h: number, channels: number): Buffer {
  const px = Buffer.alloc(w * h * channels);
  for (let i = 0; i < px.length; i++) px[i] = (i * 31 + ((i / channels / w) | 0) * 17) & 255;
  return px;
}
const raw = (w: number, h: number, channels: 3 | 4 = 3) => sharp(texture(w, h, channels), { raw: { width: w, height: h, channels } });

/** [name, bytes, whether the JavaScript reader must read it]. */
const cases: [string, Buffer, boolean][] = [];

beforeAll(async () => {
  const fixtures = path.join(ROOT, 'test/fixtures/corpus/images');
  for (const f of fs.readdirSync(fixtures).filter((f) => f.endsWith('.png')).sort()) cases.push([`fixture ${f}`, fs.readFileSync(path.join(fixtures, f)), f !== 'not-an-image.png']);
  for (const f of ['cat-96x96.png', 'dog-72x72-alpha.png']) {
    const p = path.join(ROOT, 'models/mini-clip/parity', f);
    if (fs.existsSync(p)) cases.push([`parity ${f}`, fs.readFileSync(p), true]);
  }
  const demo = fs.readFileSync(path.join(ROOT, 'demo/train.tsv'), 'latin1').split('\n').filter(Boolean).slice(0, 20);
  demo.forEach((l, i) => cases.push([`demo/train.tsv line ${i + 1}`, Buffer.from(l.slice(l.lastIndexOf('\t') + 1), 'base64'), true]));
  // sharp's own writer
  cases.push(['RGB', await raw(40, 30).png().toBuffer(), true]);
  cases.push(['RGBA', await raw(40, 30, 4).png().toBuffer(), true]);
  cases.push(['grey', await raw(40, 30).greyscale().png().toBuffer(), true]);
  cases.push(['grey + alpha', await raw(40, 30, 4).greyscale().png().toBuffer(), true]);
  cases.push(['RGB 16-bit', await raw(40, 30).toColourspace('rgb16').png().toBuffer(), true]);
  cases.push(['grey 16-bit', await raw(40, 30).toColourspace('grey16').png().toBuffer(), true]);
  for (const colours of [2, 4, 16, 256]) {
    cases.push([`palette of ${colours}`, await raw(40, 30).png({ palette: true, colours }).toBuffer(), true]);
    cases.push([`palette of ${colours} with transparency`, await raw(40, 30, 4).png({ palette: true, colours }).toBuffer(), true]);
  }
  cases.push(['interlaced', await raw(40, 30).png({ progressive: true }).toBuffer(), true]);
  cases.push(['Display P3 ICC profile', await raw(40, 30).withIccProfile('p3').png().toBuffer(), true]);
  cases.push(['Exif (sharp), orientation 6', await raw(40, 30).png().withMetadata({ orientation: 6 }).toBuffer(), false]);
  // written here: every colour type and depth, transparency chunks sharp never writes
  for (const d of [1, 2, 4, 8, 16]) {
    cases.push([`grey ${d}-bit`, png(13, 7, d, 0), true]);
    cases.push([`grey ${d}-bit with tRNS`, png(13, 7, d, 0, [trns([0, 1])]), true]);
  }
  for (const d of [8, 16]) {
    cases.push([`RGB ${d}-bit with tRNS`, png(13, 7, d, 2, [trns([0, 1, 0, 2, 0, 3])]), true]);
    cases.push([`grey + alpha ${d}-bit`, png(13, 7, d, 4), true]);
    cases.push([`RGBA ${d}-bit`, png(13, 7, d, 6), true]);
  }
  for (const d of [1, 2, 4, 8]) {
    cases.push([`palette ${d}-bit`, png(13, 7, d, 3, [plte([[200, 10, 10], [10, 200, 10]])]), true]);
    cases.push([`all-grey palette ${d}-bit`, png(13, 7, d, 3, [plte([[0, 0, 0], [255, 255, 255]])]), true]);
    cases.push([`palette ${d}-bit with tRNS`, png(13, 7, d, 3, [plte([[200, 10, 10], [10, 200, 10]]), trns([0])]), true]);
  }
  cases.push(['interlaced, written here', png(13, 7, 8, 2, [], 1), true]);
  cases.push(['text and gamma chunks', png(13, 7, 8, 2, [chunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f])), chunk('tEXt', Buffer.from('Comment\0made by a test', 'latin1'))]), true]);
  cases.push(['an unknown ancillary chunk', png(13, 7, 8, 2, [chunk('abCd', Buffer.from('x'))]), true]);
  // left to sharp
  cases.push(['an unknown critical chunk', png(13, 7, 8, 2, [chunk('ABCD', Buffer.from('x'))]), false]);
  const exif = Buffer.from('4d4d002a00000008000101120003000000010006000000000000', 'hex');
  cases.push(['an eXIf chunk, written here', png(13, 7, 8, 2, [chunk('eXIf', exif)]), false]);
  cases.push(['an animation control chunk (APNG)', png(13, 7, 8, 2, [chunk('acTL', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]))]), false]);
  cases.push(['a palette PNG without PLTE', png(13, 7, 8, 3), false]);
  cases.push(['a bit depth the colour type does not allow', png(13, 7, 4, 2), false]);
  const badCrc = png(13, 7, 8, 2);
  badCrc[29] ^= 1; // IHDR's CRC
  cases.push(['a wrong IHDR CRC', badCrc, false]);
  const badText = png(13, 7, 8, 2, [chunk('tEXt', Buffer.from('Comment\0x', 'latin1'))]);
  badText[33 + 8 + 9] ^= 1; // the tEXt chunk's CRC
  cases.push(['a wrong CRC on a text chunk', badText, false]);
  const whole = png(13, 7, 8, 2);
  cases.push(['truncated inside IHDR', whole.subarray(0, 20), false]);
  cases.push(['truncated before IDAT', whole.subarray(0, 33), false]);
  cases.push(['JPEG', await raw(20, 10).jpeg().toBuffer(), false]);
});

describe('readPngHeader', () => {
  it('probeImage says what sharp says, for every PNG, read here or left to sharp', async () => {
    expect(cases.length).toBeGreaterThan(70);
    await expectProbesAsSharp(cases, readPngHeader, LIMIT);
  });

  it('keeps the pixel limit, with the same message', async () => {
    const b = png(400, 300, 8, 2);
    const small = { maxPixels: 100_000 };
    const [ours, sharps] = await probeOutcomes(b, small);
    expect(ours).toEqual({ error: 'INVALID_INPUT: image is 400×300 = 0.1 MP, over the limit of 0.1 MP (CLIPDEX_MAX_IMAGE_PIXELS)' });
    expect(ours).toEqual(sharps);
  });
});
