/**
 * Builds the train benchmark's pre-registered set (bench/RESULTS.md, "Train", "Pre-registered"):
 * pairs of an emoji style models/mini-clip never saw. Its training read only Noto, Twemoji,
 * Fluent (flat, color) and openclipart (training/README.md), with zoom, greyscale, outline, ink
 * and monochrome line-art augmentations; OpenMoji's look (flat colours inside uniform black
 * outlines) is none of those. Images: @iconify-json/openmoji@1.2.29 (CC BY-SA 4.0, the OpenMoji
 * SVGs as one JSON), checked against the registry's sha512 integrity, rendered with sharp at
 * 128 px on white like build-fluent-hc.ts.
 *
 * Rule, fixed before any training on it: the eligible concepts are the icons that chars.json maps
 * from a Unicode emoji sequence, minus sequences with a private-use code point (OpenMoji's own
 * extras), minus skin-tone variants (names with "skin-tone") and hidden icons; one line per icon
 * name; caption = the name with hyphens as spaces (the names are slugs of the CLDR names). A
 * mulberry32(12) shuffle of the names sorted by code unit gives the first 450 to train and the
 * next 150 to valid. Checked: no name, no caption and no image (sha256 of the PNG) on both sides.
 *
 *   tsx bench/train/build-openmoji.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/openmoji-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG).
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import path from 'node:path';
import { arg, fetchPackage, writeSplit, type IconSet } from './iconify';

const PKG = '@iconify-json/openmoji@1.2.29';
const INTEGRITY = 'sha512-vXdhkqcXVSO6suy+m9LbcUM3OdVyuNOtpV8/als/WqfkQIRxevL5Geb/g+6GH/Qwnq1OqksEmaDGTCmZ5nFKJQ==';

const isPrivateUse = (cp: number) => (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000;

async function main() {
  const dir = fetchPackage(PKG, INTEGRITY, 'openmoji', ['icons.json', 'chars.json']);
  const set = JSON.parse(fs.readFileSync(path.join(dir, 'icons.json'), 'utf8')) as IconSet;
  const chars = JSON.parse(fs.readFileSync(path.join(dir, 'chars.json'), 'utf8')) as Record<string, string>;
  const eligible = new Map<string, string>();
  for (const [seq, name] of Object.entries(chars)) {
    if (seq.split('-').some((c) => isPrivateUse(parseInt(c, 16)))) continue;
    if (name.includes('skin-tone')) continue;
    const icon = set.icons[name];
    if (!icon || icon.hidden) continue;
    eligible.set(name, name);
  }
  await writeSplit('openmoji', set, eligible, { nTrain: arg('train', 450), nValid: arg('valid', 150), seed: arg('seed', 12) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
