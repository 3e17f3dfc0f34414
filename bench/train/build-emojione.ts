/**
 * Builds the train benchmark's third pre-registered set (bench/RESULTS.md, "Train"): EmojiOne
 * (@iconify-json/emojione@1.2.3, CC BY 4.0), an emoji style models/mini-clip never saw (its
 * training read only Noto, Twemoji, Fluent and openclipart: training/README.md).
 *
 * Rule, fixed before any training on it: every icon that is not hidden and whose name has no
 * "skin-tone"; concept = the icon name, caption = the name with hyphens as spaces (slugs of the
 * CLDR names). mulberry32(12) over the sorted names: the first 450 to train, the next 150 to valid.
 * Checked: no concept, caption or image on both sides.
 *
 *   tsx bench/train/build-emojione.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/emojione-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG).
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import path from 'node:path';
import { arg, fetchPackage, writeSplit, type IconSet } from './iconify';

const PKG = '@iconify-json/emojione@1.2.3';
const INTEGRITY = 'sha512-T9+T3HIbJNLKKsmxYKlaYhvnHYkz/HNYTV7SHCXVZPfeUi4FqskY70YeN8yYAZT8cCv7w5vJxS4Q1m8zb9CMMg==';

async function main() {
  const dir = fetchPackage(PKG, INTEGRITY, 'emojione', ['icons.json']);
  const set = JSON.parse(fs.readFileSync(path.join(dir, 'icons.json'), 'utf8')) as IconSet;
  const concepts = new Map<string, string>();
  for (const name of Object.keys(set.icons)) {
    if (set.icons[name].hidden || name.includes('skin-tone')) continue;
    concepts.set(name, name);
  }
  await writeSplit('emojione', set, concepts, { nTrain: arg('train', 450), nValid: arg('valid', 150), seed: arg('seed', 12) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
