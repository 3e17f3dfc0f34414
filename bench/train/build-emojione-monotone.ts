/**
 * Builds a NEW held-out test set for the train benchmark (bench/RESULTS.md, "Train"), prepared in
 * session 5 and NOT trained or evaluated on by whoever prepared it: the coordinator pre-registers
 * and runs it. EmojiOne Monotone (@iconify-json/emojione-monotone@1.2.1, icon set 2.2.7, CC BY 4.0,
 * sha512 pinned): black line-art emoji, a style no part of models/mini-clip's training read (it
 * read only Noto, Twemoji, Fluent flat / color and openclipart: training/README.md). Caveats for
 * the pre-registration: mini-clip's training has a monochrome line-art augmentation
 * (training/train.py), and the colour EmojiOne set is a development set (`emojione`), so many of
 * its concept names are development concepts too (not the pictures: those are colour).
 *
 * Rule, fixed before any training or evaluation on it, as build-emojione.ts plus build-fxemoji.ts's
 * picture rule: every icon that is not hidden, has no "skin-tone" in its name and whose SVG body is
 * no other icon's (a picture under two names is neither's concept: all of them are dropped);
 * concept = the icon name, caption = the name with hyphens as spaces; mulberry32(12) over the sorted
 * names: the first 450 to train, the next 150 to valid. writeSplit refuses to write if a concept,
 * caption or image (sha256 of the 128 px PNG) is on both sides. The view box is 64 units: 8× before
 * the 128 px resize, as for the other 16–64-unit sets' default.
 *
 *   tsx bench/train/build-emojione-monotone.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/emojione-monotone-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG).
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import path from 'node:path';
import { arg, fetchPackage, writeSplit, type IconSet } from './iconify';

const PKG = '@iconify-json/emojione-monotone@1.2.1';
const INTEGRITY = 'sha512-cZSNcPsuiAD6HCzCh/2dYKGh3pNI0jJlxBxQWfC33cQsPtqYZqulGBvlkThXYNvDl8VxgVHT9u+izyX/yeEIkA==';

async function main() {
  const dir = fetchPackage(PKG, INTEGRITY, 'emojione-monotone', ['icons.json']);
  const set = JSON.parse(fs.readFileSync(path.join(dir, 'icons.json'), 'utf8')) as IconSet;
  const bodies = new Map<string, number>();
  for (const icon of Object.values(set.icons)) bodies.set(icon.body, (bodies.get(icon.body) ?? 0) + 1);
  const concepts = new Map<string, string>();
  for (const name of Object.keys(set.icons)) {
    const icon = set.icons[name];
    if (icon.hidden || name.includes('skin-tone') || bodies.get(icon.body)! > 1) continue;
    concepts.set(name, name);
  }
  await writeSplit('emojione-monotone', set, concepts, { nTrain: arg('train', 450), nValid: arg('valid', 150), seed: arg('seed', 12) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
