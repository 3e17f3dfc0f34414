/**
 * Chooses CLIPDEX_DUPLICATE_THRESHOLD's default (issue 11) by measurement, not a guess: with the
 * bundled model, how close are an image's edited copies (resized, JPEG-recompressed, slightly
 * cropped) to it, and how close is each distinct demo image to its nearest *other* image — above
 * all another drawing of the same concept (Noto vs Twemoji vs Fluent "cat": same caption, different
 * image), which must not group.
 *
 *   npx tsx bench/duplicates/threshold.ts [model dir, default models/mini-clip]
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { loadClipModel } from '../../lib/clip';
import { pixelSignatures, signatureSimilarity } from '../../lib/duplicates/signature';
import { makeThumbnail } from '../../lib/store/thumbnail';

/** The check stage sees the stored thumbnail, as ingest does: signatures from makeThumbnail's output. */
const sig = async (b: Buffer) => pixelSignatures(await makeThumbnail(b, 40_000_000));

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
function pct(xs: number[], ps = [0, 0.01, 0.05, 0.5, 0.95, 0.99, 1]): string {
  const s = [...xs].sort((a, b) => a - b);
  return ps.map((p) => `p${Math.round(p * 100)}=${s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))].toFixed(4)}`).join(' ');
}

export const VARIANTS: Record<string, (png: Buffer) => Promise<Buffer>> = {
  'resize 0.5x (png)': async (b) => { const m = await sharp(b).metadata(); return sharp(b).resize(Math.round(m.width! / 2)).png().toBuffer(); },
  'resize 2x (png)': async (b) => { const m = await sharp(b).metadata(); return sharp(b).resize(m.width! * 2).png().toBuffer(); },
  'jpeg q60': (b) => sharp(b).flatten({ background: '#ffffff' }).jpeg({ quality: 60 }).toBuffer(),
  'resize 0.5x + jpeg q75': async (b) => { const m = await sharp(b).metadata(); return sharp(b).flatten({ background: '#ffffff' }).resize(Math.round(m.width! / 2)).jpeg({ quality: 75 }).toBuffer(); },
  'crop 5% each side': async (b) => { const m = await sharp(b).metadata(); const d = Math.round(m.width! * 0.05); return sharp(b).extract({ left: d, top: d, width: m.width! - 2 * d, height: m.height! - 2 * d }).png().toBuffer(); },
  'crop 10% one corner': async (b) => { const m = await sharp(b).metadata(); const d = Math.round(m.width! * 0.1); return sharp(b).extract({ left: d, top: d, width: m.width! - d, height: m.height! - d }).png().toBuffer(); },
};

async function main() {
  const dir = process.argv[2] ?? 'models/mini-clip';
  const model = await loadClipModel(dir, { threads: 1 });
  const bySha = new Map<string, { png: Buffer; captions: Set<string> }>();
  for (const f of ['demo/train.tsv', 'demo/valid.tsv']) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      const [cap, b64] = line.split('\t');
      if (!b64) continue;
      const png = Buffer.from(b64, 'base64');
      const sha = crypto.createHash('sha256').update(png).digest('hex');
      const e = bySha.get(sha) ?? bySha.set(sha, { png, captions: new Set() }).get(sha)!;
      e.captions.add(cap);
    }
  }
  const items = [...bySha.values()];
  const enc = async (bufs: Buffer[]) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < bufs.length; i += 64) out.push(...(await model.encodeImages(bufs.slice(i, i + 64))));
    return out;
  };
  const base = await enc(items.map((x) => x.png));
  const baseSig = await Promise.all(items.map((x) => sig(x.png)));
  console.log(`model ${model.info.name} (${model.info.id}), ${items.length} distinct demo images`);
  // Distinct images: nearest other image, and same-caption pairs (the same concept drawn differently).
  const nn: number[] = [];
  const nnPix: number[] = []; // pixel similarity of each image to its CLIP-nearest other image
  const closePairs: { clip: number; pix: number }[] = []; // distinct pairs with CLIP ≥ 0.9
  const sameConcept: number[] = [];
  for (let i = 0; i < items.length; i++) {
    let best = -1;
    let arg = -1;
    for (let j = 0; j < items.length; j++) {
      if (i === j) continue;
      const s = dot(base[i], base[j]);
      if (s > best) { best = s; arg = j; }
      if (j > i && s >= 0.9) closePairs.push({ clip: s, pix: signatureSimilarity(baseSig[i], baseSig[j]) });
      if (j > i && [...items[i].captions].some((c) => items[j].captions.has(c))) sameConcept.push(s);
    }
    nn.push(best);
    nnPix.push(signatureSimilarity(baseSig[i], baseSig[arg]));
  }
  console.log(`distinct images, pixel similarity to the CLIP-nearest other image: ${pct(nnPix)}`);
  console.log(`distinct pairs with CLIP ≥ 0.9 (n=${closePairs.length}), pixel similarity: ${pct(closePairs.map((p) => p.pix))}`);
  console.log(`distinct images, nearest other image (n=${nn.length}): ${pct(nn)}`);
  console.log(`distinct images sharing a caption (same concept, n=${sameConcept.length}): ${pct(sameConcept)}`);
  const copies: { name: string; clip: number[]; pix: number[] }[] = [];
  for (const [name, fn] of Object.entries(VARIANTS)) {
    const vs = await enc(await Promise.all(items.map((x) => fn(x.png))));
    const sims = vs.map((v, i) => dot(v, base[i]));
    const vsig = await Promise.all(items.map(async (x) => sig(await fn(x.png))));
    const pix = vsig.map((v, i) => signatureSimilarity(v, baseSig[i]));
    copies.push({ name, clip: sims, pix });
    console.log(`copy vs original, ${name.padEnd(24)} pixel ${pct(pix)}`);
    // Would the copy's nearest neighbour be its original (not another image)?
    let nnIsOriginal = 0;
    vs.forEach((v, i) => {
      let best = -1, arg = -1;
      base.forEach((b, j) => { const s = dot(v, b); if (s > best) { best = s; arg = j; } });
      if (arg === i) nnIsOriginal++;
    });
    console.log(`copy vs original, ${name.padEnd(24)} ${pct(sims)}; nearest image is its original for ${nnIsOriginal}/${items.length}`);
  }
  // The rule in force: a link when min(CLIP cosine, pixel similarity) ≥ t.
  for (const t of [0.85, 0.9, 0.93, 0.95, 0.97, 0.99]) {
    const falsePairs = closePairs.filter((x) => Math.min(x.clip, x.pix) >= t).length;
    const caught = copies.map((v) => `${v.name}: ${v.clip.filter((x, i) => Math.min(x, v.pix[i]) >= t).length}`).join(', ');
    console.log(`min(clip, pixel) ≥ ${t}: distinct pairs linked ${falsePairs}/${closePairs.length} (of the pairs with CLIP ≥ 0.9); copies linked to their original (of ${items.length}) ${caught}`);
  }
  console.log('CLIP alone:');
  for (const t of [0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995]) {
    console.log(`threshold ${t}: distinct images with a neighbour ≥ t: ${nn.filter((x) => x >= t).length}/${nn.length}; same-concept pairs ≥ t: ${sameConcept.filter((x) => x >= t).length}/${sameConcept.length}`);
  }
  await model.close();
}

// Run as a script only (the variants are imported by tests and tuning scripts).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
