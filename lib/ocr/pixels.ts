/**
 * Pixel work for OCR on RGB HWC bytes (what lib/image decodes to): cutting out a region, turning
 * a tall one on its side, and a bilinear resize straight into a normalised CHW tensor slot. The
 * PaddleOCR models were trained on OpenCV images, so the tensor is BGR and the resize samples as
 * cv2.INTER_LINEAR does (pixel centres, no antialiasing).
 */

export interface Rgb {
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB, row-major. */
  data: Uint8Array;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copy of a region (clamped to the image; at least 1×1). */
export function cropRgb(src: Rgb, r: Rect): Rgb {
  const x0 = Math.max(0, Math.min(src.width - 1, Math.floor(r.x)));
  const y0 = Math.max(0, Math.min(src.height - 1, Math.floor(r.y)));
  const x1 = Math.max(x0 + 1, Math.min(src.width, Math.ceil(r.x + r.width)));
  const y1 = Math.max(y0 + 1, Math.min(src.height, Math.ceil(r.y + r.height)));
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * src.width + x0) * 3;
    data.set(src.data.subarray(from, from + w * 3), y * w * 3);
  }
  return { width: w, height: h, data };
}

/** Counter-clockwise quarter turn (numpy's rot90, as PaddleOCR turns a tall text box). */
export function rotate90(src: Rgb): Rgb {
  const { width: w, height: h } = src;
  const data = new Uint8Array(w * h * 3);
  // out is h wide and w tall: out(x, y) = in(w - 1 - y, x)
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < h; x++) {
      const o = (y * h + x) * 3;
      const i = (x * w + (w - 1 - y)) * 3;
      data[o] = src.data[i];
      data[o + 1] = src.data[i + 1];
      data[o + 2] = src.data[i + 2];
    }
  }
  return { width: h, height: w, data };
}

export interface TensorSlot {
  /** The [N, 3, H, W] tensor. */
  out: Float32Array;
  /** Where this image's channel 0 starts (n × 3 × H × W). */
  offset: number;
  /** The tensor's H and W (the image may fill only the left part of each row). */
  planeHeight: number;
  planeWidth: number;
}

/**
 * Resize `src` to dw × dh (bilinear) and write it into the slot as BGR planes, each value
 * (v / 255 − mean[c]) / std[c] with mean/std given in B, G, R order.
 */
export function resizeIntoChw(src: Rgb, dw: number, dh: number, slot: TensorSlot, mean: readonly number[], std: readonly number[]): void {
  const { out, offset, planeHeight, planeWidth } = slot;
  const plane = planeHeight * planeWidth;
  const sx = src.width / dw;
  const sy = src.height / dh;
  const xs0 = new Int32Array(dw);
  const xs1 = new Int32Array(dw);
  const fx = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const f = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1);
    xs0[x] = Math.floor(f);
    xs1[x] = Math.min(xs0[x] + 1, src.width - 1);
    fx[x] = f - xs0[x];
  }
  // per BGR channel: value = v * scale[c] + bias[c]
  const scale = [0, 1, 2].map((c) => 1 / (255 * std[c]));
  const bias = [0, 1, 2].map((c) => -mean[c] / std[c]);
  const d = src.data;
  for (let y = 0; y < dh; y++) {
    const f = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(f);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = f - y0;
    const r0 = y0 * src.width * 3;
    const r1 = y1 * src.width * 3;
    const row = offset + y * planeWidth;
    for (let x = 0; x < dw; x++) {
      const a = r0 + xs0[x] * 3;
      const b = r0 + xs1[x] * 3;
      const c = r1 + xs0[x] * 3;
      const e = r1 + xs1[x] * 3;
      const wx = fx[x];
      for (let ch = 0; ch < 3; ch++) {
        const top = d[a + ch] + (d[b + ch] - d[a + ch]) * wx;
        const bot = d[c + ch] + (d[e + ch] - d[c + ch]) * wx;
        const v = top + (bot - top) * wy;
        const bgr = 2 - ch; // RGB source → BGR planes
        out[row + bgr * plane + x] = v * scale[bgr] + bias[bgr];
      }
    }
  }
}
