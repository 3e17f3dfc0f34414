// Rasterise SVG files to RGBA PNG with sharp (librsvg inside libvips).
// usage: node training/render_svg.mjs jobs.json   (jobs.json: [[src.svg, dst.png], ...])
// Renders at SIZE x SIZE, aspect kept, transparent padding. Skips files that already exist.
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const SIZE = Number(process.env.RENDER_SIZE || 192);
const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
sharp.concurrency(2);
let done = 0, failed = 0;
async function one([src, dst]) {
  if (existsSync(dst)) return;
  mkdirSync(dirname(dst), { recursive: true });
  try {
    await sharp(src, { density: 576, limitInputPixels: 40_000_000 })
      .resize(SIZE, SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 }, kernel: 'lanczos3' })
      .png()
      .toFile(dst);
    done++;
  } catch (e) {
    failed++;
    console.error(`skip ${src}: ${e.message}`);
  }
}
const queue = jobs.slice();
await Promise.all(Array.from({ length: 4 }, async () => {
  while (queue.length) await one(queue.shift());
}));
console.log(`rendered ${done}, failed ${failed}, total ${jobs.length}`);
