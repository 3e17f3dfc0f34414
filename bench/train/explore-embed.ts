/**
 * Exploration (session 5, issue 12), DEV sets only: embeds each set's train / valid captions and
 * images once, K augmented views of every TRAIN image (lib/train/augment.ts) and a few caption
 * templates, into /tmp/train5/<set>.* (Float32, row-major, 256-d), for bench/train/explore.ts.
 *
 *   npx tsx bench/train/explore-embed.ts [--sets openmoji,...] [--views 8]
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import path from 'node:path';
import { loadClipModel } from '../../lib/clip';
import { augmentImage } from './augment';
import { rng } from '../../lib/train/pairs';

const OUT = '/tmp/train5';
const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : d);
const sets = opt('sets', 'openmoji,streamline,emojione,fluent-hc,fxemoji').split(',');
const K = Number(opt('views', '8'));
const STRENGTH = Number(opt('strength', '1'));
const TAG = opt('tag', 'views');
export const TEMPLATES = ['{}', 'an emoji of {}', '{} emoji', '{} icon', 'a picture of {}'];

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const model = await loadClipModel(path.resolve('models/mini-clip'), { threads: 2, batchSize: 64 });
  const write = (name: string, vs: Float32Array[]) => {
    const a = new Float32Array(vs.length * 256);
    vs.forEach((v, i) => a.set(v, i * 256));
    fs.writeFileSync(path.join(OUT, name), Buffer.from(a.buffer));
  };
  for (const set of sets) {
    const t0 = performance.now();
    const meta: Record<string, unknown> = { logitScale: model.info.logitScale, dim: model.info.dim, templates: TEMPLATES, views: K };
    for (const side of TAG === 'views' ? ['train', 'valid'] : ['train']) {
      const lines = fs.readFileSync(`bench/.cache/train/${set}-${side}.tsv`, 'utf8').split('\n').filter(Boolean);
      const caps = lines.map((l) => l.split('\t')[0]);
      const imgs = lines.map((l) => Buffer.from(l.split('\t')[1], 'base64'));
      meta[side] = lines.length;
      if (TAG === 'views') {
        write(`${set}-${side}-images.f32`, await model.encodeImages(imgs));
        const tv: Float32Array[] = [];
        for (const t of TEMPLATES) tv.push(...(await model.encodeTexts(caps.map((c) => t.replace('{}', c)))));
        write(`${set}-${side}-texts.f32`, tv);
      }
      if (side === 'train') {
        const rand = rng(99);
        const views: Float32Array[] = [];
        for (let k = 0; k < K; k++) {
          const aug: Buffer[] = [];
          for (const b of imgs) aug.push(await augmentImage(b, rand, { strength: STRENGTH }));
          if (k === 0) for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(OUT, `${set}-${TAG}${i}.png`), aug[i]);
          views.push(...(await model.encodeImages(aug)));
        }
        write(`${set}-train-${TAG}.f32`, views);
      }
    }
    if (TAG === 'views') fs.writeFileSync(path.join(OUT, `${set}.json`), JSON.stringify(meta));
    console.log(`${set}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await model.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
