/**
 * Builds the train benchmark's replication set (bench/RESULTS.md, "Train", "Replication,
 * pre-registered"): Streamline Emojis (@iconify-json/streamline-emojis@1.2.4, CC BY 4.0), a
 * hand-drawn-looking emoji style models/mini-clip never saw (its training read only Noto, Twemoji,
 * Fluent and openclipart: training/README.md).
 *
 * Rule, fixed before any training on it: concept = icon name without a trailing "-<digits>"
 * (Streamline numbers variants of one emoji: "astronaut-1", "astronaut-2"); hidden icons skipped;
 * each concept's image is its first icon name in code-unit order; caption = the concept with
 * hyphens as spaces. mulberry32(12) over the sorted concepts: the first 450 to train, the next
 * 150 to valid (602 concepts, so 2 are unused). Checked: no concept, caption or image on both sides.
 *
 *   tsx bench/train/build-streamline.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/streamline-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG).
 */
import '../shared/help'; // --help: this script's header comment
import fs from 'node:fs';
import path from 'node:path';
import { arg, fetchPackage, writeSplit, type IconSet } from './iconify';

const PKG = '@iconify-json/streamline-emojis@1.2.4';
const INTEGRITY = 'sha512-iNr9T9XuZVTyQPJO8ZlLxBzPkpi7qMl+z1l0C31vpEMqhPMelth3n7CeWQYtixdetDPdI81yeG4ROqjWpYJE6A==';

async function main() {
  const dir = fetchPackage(PKG, INTEGRITY, 'streamline-emojis', ['icons.json']);
  const set = JSON.parse(fs.readFileSync(path.join(dir, 'icons.json'), 'utf8')) as IconSet;
  const concepts = new Map<string, string>();
  for (const name of Object.keys(set.icons).sort()) {
    if (set.icons[name].hidden) continue;
    const concept = name.replace(/-\d+$/, '');
    if (!concepts.has(concept)) concepts.set(concept, name);
  }
  await writeSplit('streamline', set, concepts, { nTrain: arg('train', 450), nValid: arg('valid', 150), seed: arg('seed', 12) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
