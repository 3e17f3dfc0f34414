/**
 * The fused downscale (decode + resize in one sharp pipeline, resample.ts decodeResized, then the
 * crop) against the unfused path it replaced (decodeImage, then resizeRgb, then crop), on fixture and
 * generated images, for models/mini-clip's 96 px spec, a 224 px CLIP spec and a 224 px squash.
 * Measured: max |Δ| 0 levels in every case below; the bound allows 1 level of rounding.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../image';
import { createImageProcessor, preprocessDecoded, resizePlan, resolvePreprocessSpec, type PreprocessSpec } from './image-processor';
import { readModelManifest } from './manifest';
import { canDecodeResized, type Kernel } from './resample';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/corpus/images');
const MAXPX = 40_000_000;

const clip = (size: number, kernel: Kernel = 'cubic'): PreprocessSpec => ({
  mode: 'crop', shortestEdge: size, width: size, height: size, kernel, rescale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
});
const squash = (size: number, kernel: Kernel = 'cubic'): PreprocessSpec => ({ ...clip(size, kernel), mode: 'squash', shortestEdge: undefined });
const miniClip = (): PreprocessSpec => {
  const dir = path.join(ROOT, 'models/mini-clip');
  return fs.existsSync(path.join(dir, 'preprocessor_config.json')) ? resolvePreprocessSpec(readModelManifest(dir)) : clip(96);
};

/** Seeded 8-bit RGB with gradients, blocks and texture (JPEG-like content, edges in both axes). */
function texture(w: number, h: number, seed: number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const block = ((x >> 5) + (y >> 4) + c) % 3 === 0 ? 90 : 0;
        px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(60 + (x + 2 * y) * 0.2 * (c + 1) + block + 25 * Math.sin(x * 0.3 + y * 0.17 * c) + 20 * rnd())));
      }
  return px;
}
const raw = (w: number, h: number, seed: number) => sharp(texture(w, h, seed), { raw: { width: w, height: h, channels: 3 } });

const images: [string, Buffer][] = [];
beforeAll(async () => {
  for (const f of fs.readdirSync(FIXTURES).sort()) if (f !== 'not-an-image.png') images.push([f, fs.readFileSync(path.join(FIXTURES, f))]);
  const parity = path.join(ROOT, 'models/mini-clip/parity');
  if (fs.existsSync(parity)) for (const f of fs.readdirSync(parity).filter((f) => /\.(png|jpe?g)$/.test(f))) images.push([`parity/${f}`, fs.readFileSync(path.join(parity, f))]);
  images.push(['500x500.jpg', await raw(500, 500, 1).jpeg({ quality: 85 }).toBuffer()]);
  images.push(['1000x700.jpg', await raw(1000, 700, 2).jpeg().toBuffer()]);
  images.push(['500x500-grey.jpg', await raw(500, 500, 3).greyscale().jpeg().toBuffer()]);
  images.push(['300x500-grey.png', await raw(300, 500, 4).greyscale().png().toBuffer()]);
  images.push(['500x500-cmyk.jpg', await raw(500, 500, 5).toColourspace('cmyk').jpeg().toBuffer()]);
  images.push(['500x400-p3.jpg', await raw(500, 400, 6).withIccProfile('p3').jpeg().toBuffer()]);
  images.push(['500x500.webp', await raw(500, 500, 7).webp().toBuffer()]);
  images.push(['500x500-rgb16.png', await raw(500, 500, 8).toColourspace('rgb16').png().toBuffer()]);
  const rgba = Buffer.alloc(400 * 500 * 4);
  const rgb = texture(400, 500, 9);
  for (let i = 0; i < 400 * 500; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = (i * 7) % 256;
  }
  images.push(['400x500-alpha.png', await sharp(rgba, { raw: { width: 400, height: 500, channels: 4 } }).png().toBuffer()]);
  for (let o = 2; o <= 8; o++) images.push([`500x360-exif${o}.jpg`, await raw(500, 360, 10 + o).jpeg().withMetadata({ orientation: o }).toBuffer()]);
});

async function compare(spec: PreprocessSpec, only?: RegExp): Promise<{ fused: string[]; maxDiff: number }> {
  const fused: string[] = [];
  let maxDiff = 0;
  for (const [name, bytes] of images) {
    if (only && !only.test(name)) continue;
    const header = await probeImage(bytes, { maxPixels: MAXPX });
    const plan = resizePlan(header.width, header.height, spec);
    const canFuse = canDecodeResized(header, plan.width, plan.height);
    if (canFuse) fused.push(name);
    const f = await preprocessDecoded(bytes, header, spec, MAXPX);
    // The fused path keeps no whole decode; a fused pipeline that failed would have fallen back to one.
    if (canFuse) expect(f.decoded, `${name} took the fused path`).toBeUndefined();
    // The whole image it hands on (pixel signatures) is the model's resize before the crop.
    expect([f.whole.width, f.whole.height], name).toEqual(canFuse ? [plan.width, plan.height] : [header.width, header.height]);
    const a = f.rgb;
    const b = (await preprocessDecoded(bytes, header, spec, MAXPX, false)).rgb;
    expect(a.length, name).toBe(spec.width * spec.height * 3);
    expect(b.length, name).toBe(a.length);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d, `${name}: max |Δ| ${d} levels`).toBeLessThanOrEqual(1);
    maxDiff = Math.max(maxDiff, d);
  }
  return { fused, maxDiff };
}

describe('fused decode + downscale equals decode, then resize', () => {
  it("models/mini-clip's 96 px spec", async () => {
    const spec = miniClip();
    expect(spec).toMatchObject({ mode: 'crop', width: 96, height: 96, kernel: 'cubic' });
    const r = await compare(spec);
    // Downscales (both sides ≥ 96 px, 8-bit) take the fused path: JPEG (with shrink-on-load off),
    // PNG, WebP, greyscale, CMYK, ICC, alpha, every EXIF orientation; 16-bit does not.
    expect(r.fused).toEqual(expect.arrayContaining(['big-1200x1000.png', 'rgb-200x150.png', '500x500.jpg', '1000x700.jpg', '400x500-alpha.png', '500x360-exif6.jpg', '500x500-cmyk.jpg']));
    expect(r.fused).not.toContain('500x500-rgb16.png');
    expect(r.fused).not.toContain('alpha.png'); // 40×30: enlarged, PIL's algorithm
    expect(r.maxDiff).toBe(0);
  });

  it('a 224 px CLIP spec (crop) and a 224 px squash (Chinese-CLIP)', async () => {
    for (const spec of [clip(224), squash(224)]) {
      const r = await compare(spec);
      expect(r.fused).toEqual(expect.arrayContaining(['500x500.jpg', '1000x700.jpg', '500x360-exif5.jpg', '500x360-exif8.jpg', '400x500-alpha.png']));
      expect(r.maxDiff).toBe(0);
    }
  });

  it('every kernel the preprocessor config can name', async () => {
    for (const kernel of ['linear', 'lanczos3', 'nearest'] as Kernel[]) {
      for (const spec of [clip(96, kernel), squash(224, kernel)]) {
        const r = await compare(spec, /^(500x500\.jpg|1000x700\.jpg|400x500-alpha\.png|500x360-exif6\.jpg|big-1200x1000\.png)$/);
        expect(r.fused.length).toBeGreaterThan(0);
        expect(r.maxDiff).toBe(0);
      }
    }
  });
});

describe('createImageProcessor', () => {
  const proc = createImageProcessor(clip(96), 1_000_000);

  it('returns the header facts with the pixels (oriented size, format)', async () => {
    const r = await proc.preprocessWithFacts(fs.readFileSync(path.join(FIXTURES, 'exif-rotated.jpg')));
    expect([r.width, r.height, r.format, r.pixels.length]).toEqual([40, 30, 'jpeg', 3 * 96 * 96]);
    const big = await proc.preprocessWithFacts(fs.readFileSync(path.join(FIXTURES, 'rgb-200x150.png')));
    expect([big.width, big.height, big.format]).toEqual([200, 150, 'png']);
    expect(big.pixels).toEqual(await proc.preprocess(fs.readFileSync(path.join(FIXTURES, 'rgb-200x150.png'))));
    // The decoded image comes back only where preprocessing decoded it whole (enlarged here).
    expect(big.decoded).toBeUndefined();
    expect([r.decoded?.width, r.decoded?.height, r.decoded?.data.length]).toEqual([40, 30, 40 * 30 * 3]);
  });

  it('keeps the pixel limit on the fused path, with its message', async () => {
    await expect(proc.preprocess(fs.readFileSync(path.join(FIXTURES, 'big-1200x1000.png')))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'image is 1200×1000 = 1.2 MP, over the limit of 1 MP (CLIPDEX_MAX_IMAGE_PIXELS)',
    });
    const ok = await createImageProcessor(clip(96), 1_200_000).preprocessWithFacts(fs.readFileSync(path.join(FIXTURES, 'big-1200x1000.png')));
    expect([ok.width, ok.height, ok.format]).toEqual([1200, 1000, 'png']);
  });

  it('refuses bad and truncated bytes with INVALID_INPUT', async () => {
    await expect(proc.preprocess(fs.readFileSync(path.join(FIXTURES, 'not-an-image.png')))).rejects.toThrow(/^bytes are not a supported image \(.+\)$/);
    const jpeg = await raw(500, 500, 1).jpeg().toBuffer();
    await expect(proc.preprocess(jpeg.subarray(0, jpeg.length >> 1))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
