/**
 * Exploration only (session 5, issue 12; bench/train/explore-embed.ts): random views of each TRAIN
 * image (zoom out / in with a shift, a small rotation, a mirror, colour and background changes,
 * sometimes grey), embedded by the frozen model, so a small adapter sees many looks of each
 * training picture. Tried and NOT adopted: drawing these views in training lowered the gain on
 * every development set (bench/RESULTS.md, "Train", session 5), so it is not in lib/train. sharp
 * does the pixel work; every draw comes from the seeded generator given, so a run repeats exactly.
 */
import sharp, { type Sharp } from 'sharp';

/** Largest side the views are drawn at: the model resizes to its own input anyway. */
const VIEW_SIDE = 224;

const between = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();

/** How far a view may stray from the picture: 1 = the full ranges below, 0.3 = mild. */
export interface AugmentOptions {
  strength?: number;
}

/** One random view of an image (any format sharp reads) as a PNG. */
export async function augmentImage(bytes: Buffer, rand: () => number, o: AugmentOptions = {}): Promise<Buffer> {
  const k = o.strength ?? 1;
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(VIEW_SIDE, VIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  // background: near-white pixels (the usual icon canvas) take a light random colour
  let bg = { r: 255, g: 255, b: 255 };
  if (rand() < 0.3 * k) {
    bg = { r: Math.round(between(rand, 150, 255)), g: Math.round(between(rand, 150, 255)), b: Math.round(between(rand, 150, 255)) };
    for (let i = 0; i < data.length; i += 3) {
      if (data[i] >= 240 && data[i + 1] >= 240 && data[i + 2] >= 240) {
        data[i] = bg.r;
        data[i + 1] = bg.g;
        data[i + 2] = bg.b;
      }
    }
  }
  let img = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  if (rand() < 0.5) img = img.flop();
  const angle = between(rand, -15 * k, 15 * k);
  img = img.rotate(angle, { background: bg });
  const rotated = await img.raw().toBuffer({ resolveWithObject: true });
  const rw = rotated.info.width;
  const rh = rotated.info.height;
  const c = rotated.info.channels; // 3: colour comes after the geometry
  const side = Math.max(rw, rh);
  const scale = between(rand, 1 - 0.35 * k, 1 + 0.15 * k);
  let out: Sharp;
  if (scale <= 1) {
    // zoom out: the picture shrinks onto a canvas of the background colour, at a random place
    const tw = Math.max(8, Math.round(rw * scale));
    const th = Math.max(8, Math.round(rh * scale));
    const small = await sharp(rotated.data, { raw: { width: rw, height: rh, channels: c } }).resize(tw, th).raw().toBuffer();
    out = sharp({ create: { width: side, height: side, channels: 3, background: bg } }).composite([
      { input: small, raw: { width: tw, height: th, channels: c }, left: Math.floor(rand() * (side - tw + 1)), top: Math.floor(rand() * (side - th + 1)) },
    ]);
  } else {
    // zoom in: a random crop of 1/scale of each side
    const cw = Math.max(8, Math.round(rw / scale));
    const ch = Math.max(8, Math.round(rh / scale));
    out = sharp(rotated.data, { raw: { width: rw, height: rh, channels: c } }).extract({
      left: Math.floor(rand() * (rw - cw + 1)),
      top: Math.floor(rand() * (rh - ch + 1)),
      width: cw,
      height: ch,
    });
  }
  // colour last, on the whole canvas, so the background stays one colour
  const placed = await out.raw().toBuffer({ resolveWithObject: true });
  let coloured = sharp(placed.data, { raw: { width: placed.info.width, height: placed.info.height, channels: placed.info.channels } }).modulate({
    brightness: between(rand, 1 - 0.15 * k, 1 + 0.15 * k),
    saturation: between(rand, 1 - 0.3 * k, 1 + 0.3 * k),
    hue: Math.round(between(rand, -10 * k, 10 * k)),
  });
  if (rand() < 0.1 * k) coloured = coloured.greyscale();
  return coloured.png({ compressionLevel: 1 }).toBuffer();
}
