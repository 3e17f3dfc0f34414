import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../image';
import { makeThumbnail, makeThumbnailFromDecoded, ORIGINAL_AS_THUMB_MAX_BYTES, thumbnailFor, thumbnailIsReencode, THUMB_MAX_SIDE } from './thumbnail';

const IMG = path.resolve(__dirname, '../../test/fixtures/corpus/images');
const MAXPX = 4_000_000;

/** A 72×72 RGBA PNG with flat shapes on transparency (an emoji sprite). */
async function emoji(): Promise<Buffer> {
  const S = 72;
  const px = Buffer.alloc(S * S * 4);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const o = (y * S + x) * 4;
      if ((x - 36) ** 2 + (y - 30) ** 2 < 400) px.set([230, 180, 20, 255], o);
      else if (Math.abs(x - 20) < 10 && Math.abs(y - 55) < 10) px.set([20, 90, 200, 128], o);
    }
  return sharp(px, { raw: { width: S, height: S, channels: 4 } }).png().toBuffer();
}

describe('thumbnails', () => {
  it('makeThumbnail: WebP, oriented, at most 512 px (2× a 256 px cell), never enlarged', async () => {
    const big = await sharp(await makeThumbnail(fs.readFileSync(path.join(IMG, 'big-1200x1000.png')), MAXPX)).metadata();
    expect([big.format, big.width, big.height]).toEqual(['webp', 512, 427]);
    const rot = await sharp(await makeThumbnail(fs.readFileSync(path.join(IMG, 'exif-rotated.jpg')), MAXPX)).metadata();
    expect([rot.width, rot.height]).toEqual([40, 30]);
  });

  it('from the decoded pixels: the same bytes as from the original, for images that need no resize', async () => {
    const cases: [string, Buffer][] = fs
      .readdirSync(IMG)
      .filter((f) => f !== 'not-an-image.png' && f !== 'big-1200x1000.png')
      .map((f) => [f, fs.readFileSync(path.join(IMG, f))]);
    cases.push(['p3-256x200.jpg', await sharp({ create: { width: 256, height: 200, channels: 3, background: '#3a8' } }).withIccProfile('p3').jpeg().toBuffer()]);
    let opaque = 0;
    for (const [name, bytes] of cases) {
      if ((await sharp(bytes).metadata()).hasAlpha) continue; // kept by makeThumbnail, flattened by decodeImage
      opaque++;
      const d = await decodeImage(bytes, { maxPixels: MAXPX });
      expect(thumbnailIsReencode(d.width, d.height), name).toBe(true);
      expect((await makeThumbnailFromDecoded(d)).equals(await makeThumbnail(bytes, MAXPX)), name).toBe(true);
    }
    expect(opaque).toBeGreaterThanOrEqual(3);
  });

  it('keeps transparency: a small transparent image is its own thumbnail, a large one a WebP with alpha', async () => {
    const small = await emoji();
    expect(await thumbnailFor(small, MAXPX, { decoded: await decodeImage(small, { maxPixels: MAXPX }) })).toEqual({ bytes: small, format: 'png' });
    const big = await sharp(small).resize(900, 900).png().toBuffer();
    const t = await thumbnailFor(big, MAXPX, { decoded: await decodeImage(big, { maxPixels: MAXPX }) });
    const meta = await sharp(t.bytes).metadata();
    expect([t.format, meta.format, meta.width, meta.hasAlpha]).toEqual(['webp', 'webp', THUMB_MAX_SIDE, true]);
    // transparent where the original is (a corner), opaque where it is (the disc's centre)
    const { data, info } = await sharp(t.bytes).raw().toBuffer({ resolveWithObject: true });
    const alphaAt = (x: number, y: number) => data[(y * info.width + x) * info.channels + 3];
    expect(alphaAt(2, 2)).toBe(0);
    expect(alphaAt(Math.round((36 / 72) * info.width), Math.round((30 / 72) * info.height))).toBe(255);
  });

  it('refuses decoded images that would need a resize', async () => {
    expect(thumbnailIsReencode(THUMB_MAX_SIDE, 10)).toBe(true);
    expect(thumbnailIsReencode(THUMB_MAX_SIDE + 1, 10)).toBe(false);
    const d = await decodeImage(fs.readFileSync(path.join(IMG, 'big-1200x1000.png')), { maxPixels: MAXPX });
    await expect(makeThumbnailFromDecoded(d)).rejects.toThrow(/needs a resize/);
  });

  it('an original that already is a thumbnail is kept as is (issue 13); anything a browser would show differently is re-encoded', async () => {
    const photo = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#c84' } }).composite([{ input: { create: { width: 40, height: 30, channels: 3, background: '#248' } }, left: 7, top: 5 }]);
    const jpeg = await photo(500, 375).jpeg({ quality: 85 }).toBuffer();
    const same = await thumbnailFor(jpeg, MAXPX);
    expect(same.format).toBe('jpeg');
    expect(same.bytes).toBe(jpeg);
    const webp = await photo(300, 300).webp().toBuffer();
    expect(await thumbnailFor(webp, MAXPX)).toEqual({ bytes: webp, format: 'webp' });

    const reencoded = async (bytes: Buffer) => {
      const t = await thumbnailFor(bytes, MAXPX);
      expect(t.format).toBe('webp');
      expect(t.bytes.equals(bytes)).toBe(false);
      return sharp(t.bytes).metadata();
    };
    // larger than a thumbnail: resized
    expect((await reencoded(await photo(600, 400).jpeg().toBuffer())).width).toBe(THUMB_MAX_SIDE);
    // EXIF-rotated: turned upright
    expect(await reencoded(await photo(40, 30).jpeg().withMetadata({ orientation: 6 }).toBuffer())).toMatchObject({ width: 30, height: 40 });
    // alpha with 16 bits a channel: to 8 bits, transparency kept
    expect((await reencoded(await sharp(await emoji()).toColourspace('rgb16').png().toBuffer())).hasAlpha).toBe(true);
    // CMYK, 16-bit, GIF: to 8-bit sRGB WebP
    await reencoded(await photo(64, 64).toColourspace('cmyk').jpeg().toBuffer());
    await reencoded(await photo(64, 64).toColourspace('rgb16').png().toBuffer());
    await reencoded(await photo(64, 64).gif().toBuffer());
    // an APNG (an acTL chunk before the image data), which sharp may read as one page
    const png = await photo(64, 64).png().toBuffer();
    const ihdrEnd = 8 + 8 + 13 + 4;
    const actl = Buffer.alloc(8 + 8 + 4);
    actl.writeUInt32BE(8, 0);
    actl.write('acTL', 4, 'latin1');
    actl.writeUInt32BE(1, 8); // frames
    actl.writeUInt32BE(0, 12); // plays
    actl.writeUInt32BE(zlib.crc32(actl.subarray(4, 16)), 16);
    await reencoded(Buffer.concat([png.subarray(0, ihdrEnd), actl, png.subarray(ihdrEnd)]));
    // too many bytes for a thumbnail: noise does not compress
    const noise = await sharp(randomBytes(480 * 480 * 3), { raw: { width: 480, height: 480, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(ORIGINAL_AS_THUMB_MAX_BYTES);
    await reencoded(noise);
  });
});
