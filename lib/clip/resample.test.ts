import { describe, expect, it } from 'vitest';
import { resizeRgb } from './resample';
import { shortestEdgeSize, toChw } from './image-processor';

/** A 1-row RGB ramp: value 6·x in every channel. */
const ramp = (w: number) => Uint8Array.from({ length: w * 3 }, (_, i) => Math.floor(i / 3) * 6);
const firstChannel = (b: Uint8Array) => [...b].filter((_, i) => i % 3 === 0);

describe('resizeRgb', () => {
  // Reference rows printed by PIL 9.4 (Image.resize(…, Image.BICUBIC)) for the same ramp, /6 → source position.
  it('upscales exactly like PIL (pixel-centre convention), where libvips is half a pixel off', async () => {
    const out = firstChannel(await resizeRgb(ramp(40), 40, 1, 80, 1, 'cubic'));
    expect(out.slice(0, 12)).toEqual([0, 1, 4, 8, 11, 14, 17, 20, 23, 26, 29, 32]); // PIL: 0 0.17 0.67 1.33 1.83 …
    expect(out.slice(-4)).toEqual([227, 230, 233, 235]); // PIL: 37.83 38.33 38.83 39.17
  });

  it('downscales through sharp close to PIL', async () => {
    const out = firstChannel(await resizeRgb(ramp(40), 40, 1, 20, 1, 'cubic'));
    expect(out.slice(0, 8).map((v) => v / 6)).toEqual([0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5]); // PIL
  });

  it('returns the input untouched at the same size', async () => {
    const src = ramp(7);
    expect(await resizeRgb(src, 7, 1, 7, 1, 'cubic')).toBe(src);
  });
});

describe('shortestEdgeSize / toChw', () => {
  it('truncates the long side as transformers does', () => {
    expect(shortestEdgeSize(40, 30, 32)).toEqual({ width: 42, height: 32 }); // 42.67 → 42
    expect(shortestEdgeSize(130, 200, 96)).toEqual({ width: 96, height: 147 }); // 147.69 → 147
    expect(shortestEdgeSize(96, 96, 96)).toEqual({ width: 96, height: 96 });
  });

  it('lays out CHW with rescale and per-channel mean/std', () => {
    const rgb = Uint8Array.from([255, 0, 51, 0, 255, 102]); // 2 pixels
    const chw = toChw(rgb, { width: 2, height: 1, rescale: 1 / 255, mean: [0.5, 0.5, 0], std: [0.5, 0.5, 0.2] });
    expect([...chw].map((v) => +v.toFixed(5))).toEqual([1, -1, -1, 1, 1, 2]);
  });
});
