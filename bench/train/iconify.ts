/**
 * Shared by the train benchmark's emoji-set builders: fetch a pinned @iconify-json package (one
 * JSON of SVG bodies), check its sha512 integrity, render the chosen icons with sharp at 128 px on
 * white (as build-fluent-hc.ts renders Fluent), split the concepts with a seeded shuffle and refuse
 * to write anything if a concept, a caption or an image (sha256 of the PNG) is on both sides.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { rng, shuffle } from '../../lib/train/pairs';

export const CACHE = path.resolve('bench/.cache/train');

export interface IconSet {
  icons: Record<string, { body: string; width?: number; height?: number; hidden?: boolean }>;
  width?: number;
  height?: number;
}

export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Packs `pkg@version` into the cache once, checks it, extracts `files`; returns the package folder. */
export function fetchPackage(spec: string, integrity: string, tag: string, files: string[]): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const tgz = path.join(CACHE, `${spec.replace(/^@/, '').replace(/[/@]/g, '-')}.tgz`);
  if (!fs.existsSync(tgz)) execFileSync('npm', ['pack', spec, '--pack-destination', CACHE, '--silent'], { stdio: 'ignore' });
  const got = `sha512-${createHash('sha512').update(fs.readFileSync(tgz)).digest('base64')}`;
  if (got !== integrity) throw new Error(`${tgz}: integrity ${got} is not the pinned ${integrity}`);
  const src = path.join(CACHE, tag);
  if (!files.every((f) => fs.existsSync(path.join(src, 'package', f)))) {
    fs.mkdirSync(src, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', src, ...files.map((f) => `package/${f}`)]);
  }
  return path.join(src, 'package');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * `concepts`: concept → icon name. The concepts, sorted by code unit, are shuffled with
 * mulberry32(seed); the first nTrain go to train, the next nValid to valid. Caption = the concept
 * with hyphens as spaces, unless `o.caption` gives one. The SVG is rasterised at `o.scale` (default
 * 8) times its view box before the 128 px resize. Writes CACHE/<tag>-{train,valid}.tsv.
 */
export async function writeSplit(
  tag: string,
  set: IconSet,
  concepts: Map<string, string>,
  o: { nTrain: number; nValid: number; seed: number; caption?: (concept: string) => string; scale?: number },
) {
  const names = shuffle([...concepts.keys()].sort(), rng(o.seed));
  if (names.length < o.nTrain + o.nValid) throw new Error(`only ${names.length} eligible concepts`);
  const split = { train: names.slice(0, o.nTrain), valid: names.slice(o.nTrain, o.nTrain + o.nValid) };
  const seen = { concept: new Map<string, string>(), caption: new Map<string, string>(), image: new Map<string, string>() };
  const claim = (kind: keyof typeof seen, key: string, side: string, name: string) => {
    const other = seen[kind].get(key);
    if (other !== undefined && other !== side) throw new Error(`${kind} of ${name} is on both sides`);
    seen[kind].set(key, side);
  };
  for (const [side, list] of Object.entries(split)) {
    const lines: string[] = [];
    for (const concept of list) {
      const icon = set.icons[concepts.get(concept)!];
      const w = icon.width ?? set.width ?? 16;
      const h = icon.height ?? set.height ?? 16;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w * (o.scale ?? 8)}" height="${h * (o.scale ?? 8)}">${icon.body}</svg>`;
      const png = await sharp(Buffer.from(svg))
        .resize(128, 128, { fit: 'contain', background: '#ffffff' })
        .flatten({ background: '#ffffff' })
        .png()
        .toBuffer();
      const caption = o.caption ? o.caption(concept) : concept.replace(/-/g, ' ');
      claim('concept', concept, side, concept);
      claim('caption', caption, side, concept);
      claim('image', sha(png), side, concept);
      lines.push(`${caption}\t${png.toString('base64')}`);
    }
    const out = path.join(CACHE, `${tag}-${side}.tsv`);
    fs.writeFileSync(out, `${lines.join('\n')}\n`);
    console.log(`${out}: ${lines.length} pairs`);
  }
  console.log(`${concepts.size} eligible concepts; seed ${o.seed}; no concept, caption or image on both sides`);
}
