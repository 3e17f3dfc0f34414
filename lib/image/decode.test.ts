import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, probeImage } from './index';

const IMG = path.resolve(__dirname, '../../test/fixtures/corpus/images');
const read = (f: string) => fs.readFileSync(path.join(IMG, f));
const LIMIT = { maxPixels: 1_000_000 };

function meanAbs(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
function channelCorrelation(a: Uint8Array, b: Uint8Array, c: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = c; i < a.length; i += 3) {
    xs.push(a[i]);
    ys.push(b[i]);
  }
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('decodeImage', () => {
  it('decodes RGB PNG to exact HWC bytes', async () => {
    const d = await decodeImage(read('rgb-32x32.png'), LIMIT);
    expect([d.width, d.height, d.format, d.data.length]).toEqual([32, 32, 'png', 32 * 32 * 3]);
    // gradient(32, 32, seed=2) from make_fixtures.py at x=31, y=0: (255, 0, (31 + 80) * 3 % 256)
    expect([...d.data.subarray(31 * 3, 32 * 3)]).toEqual([255, 0, (31 + 80) * 3 % 256]);
  });

  it('greyscale comes out as 3 equal channels, equal to PIL\'s luma of the RGB original', async () => {
    const grey = await decodeImage(read('grey.png'), LIMIT);
    const rgb = await decodeImage(read('rgb-40x30.png'), LIMIT);
    for (let i = 0; i < 40 * 30; i++) {
      const [r, g, b] = [rgb.data[i * 3], rgb.data[i * 3 + 1], rgb.data[i * 3 + 2]];
      const luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16; // PIL's convert('L')
      expect([grey.data[i * 3], grey.data[i * 3 + 1], grey.data[i * 3 + 2]]).toEqual([luma, luma, luma]);
    }
  });

  it('16-bit PNG comes out as the same 8-bit values (stored as v × 257)', async () => {
    const g16 = await decodeImage(read('grey16.png'), LIMIT);
    const g8 = await decodeImage(read('grey.png'), LIMIT);
    expect(Buffer.compare(g16.data, g8.data)).toBe(0);
  });

  it('CMYK JPEG is converted to sRGB with the channels the right way round', async () => {
    const cmyk = await decodeImage(read('cmyk.jpg'), LIMIT);
    const rgb = await decodeImage(read('rgb-40x30.png'), LIMIT);
    expect([cmyk.width, cmyk.height, cmyk.format, cmyk.data.length]).toEqual([40, 30, 'jpeg', 3600]);
    // PIL wrote it with a naive RGB→CMYK; sharp reads it through a CMYK profile, so colours shift
    // (measured mean 29 levels) but each channel still tracks its original (an inverted or
    // swapped channel would correlate ≤ 0).
    for (const c of [0, 1, 2]) expect(channelCorrelation(cmyk.data, rgb.data, c)).toBeGreaterThan(0.8);
    expect(meanAbs(cmyk.data, rgb.data)).toBeLessThan(40);
  });

  it('applies the EXIF orientation (stored 30×40, displayed 40×30)', async () => {
    const meta = await probeImage(read('exif-rotated.jpg'), LIMIT);
    expect([meta.width, meta.height]).toEqual([40, 30]);
    const rotated = await decodeImage(read('exif-rotated.jpg'), LIMIT);
    const upright = await decodeImage(read('rgb-40x30.jpg'), LIMIT);
    expect([rotated.width, rotated.height]).toEqual([40, 30]);
    expect(meanAbs(rotated.data, upright.data)).toBeLessThan(4); // JPEG noise only (measured 2.4)
  });

  it('composites alpha on white', async () => {
    const d = await decodeImage(read('alpha.png'), LIMIT);
    const px = (x: number, y: number) => [...d.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
    expect(px(0, 0)).toEqual([255, 255, 255]); // transparent red → white
    expect(px(19, 29)).toEqual([255, 255, 255]);
    expect(px(20, 0)).toEqual([0, 0, 255]); // opaque blue stays
  });

  it('refuses images over the pixel limit with both sizes in the message', async () => {
    await expect(decodeImage(read('big-1200x1000.png'), LIMIT)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'image is 1200×1000 = 1.2 MP, over the limit of 1 MP (CLIPDEX_MAX_IMAGE_PIXELS)',
    });
    const ok = await decodeImage(read('big-1200x1000.png'), { maxPixels: 1_200_000 });
    expect([ok.width, ok.height]).toEqual([1200, 1000]);
  });

  it('refuses bytes that are not an image', async () => {
    await expect(decodeImage(read('not-an-image.png'), LIMIT)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(decodeImage(read('not-an-image.png'), LIMIT)).rejects.toThrow(/^bytes are not a supported image \(.+\)$/);
    await expect(decodeImage(Buffer.alloc(0), LIMIT)).rejects.toThrow(/^bytes are not a supported image \(empty input\)$/);
    // a truncated PNG: header fine, data missing
    await expect(decodeImage(read('rgb-200x150.png').subarray(0, 200), LIMIT)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('images that fail at the same moment, beside images that decode, each keep their own reason', async () => {
    // libvips has one error buffer per process: without the retry, a few of these came back
    // emptied ("…corrupt header:)") or with another image's error in them
    const xxe = Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><text y="20">&xxe;</text></svg>',
    );
    const text = Buffer.from('plain text, not an image');
    const truncated = read('rgb-200x150.png').subarray(0, 200);
    const good = read('rgb-200x150.png');
    const own = [
      [xxe, /^bytes are not a supported image \(Input buffer has corrupt header: .*Entity 'xxe' not defined[^)]*\)$/],
      [text, /^bytes are not a supported image \(Input buffer contains unsupported image format\)$/],
      [truncated, /^bytes are not a supported image \((?!.*(Entity|unsupported image format)).*\S\)$/],
    ] as const;
    const wrong: string[] = [];
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          if (i % 4 === 3) return void (await decodeImage(good, LIMIT));
          const [bytes, reason] = own[i % 4];
          const err = await decodeImage(bytes, LIMIT).then(
            () => new Error('decoded'),
            (e: Error) => e,
          );
          if (!reason.test(err.message)) wrong.push(err.message);
        }),
      );
    }
    expect(wrong).toEqual([]);
  });
});
