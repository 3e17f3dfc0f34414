/**
 * Builds the train benchmark's held-out TEST set (bench/RESULTS.md, "Train", "Held-out test,
 * pre-registered"): Firefox OS Emoji (@iconify-json/fxemoji@1.2.2, Mozilla, Apache-2.0), an emoji
 * style models/mini-clip never saw (its training read only Noto, Twemoji, Fluent and openclipart:
 * training/README.md) and not of the same family as a development set (openmoji, streamline,
 * emojione). The default recipe was chosen on the development sets; this set is run once.
 *
 * The package has no chars.json: its icon names are Unicode character names lowercased with the
 * spaces and hyphens removed ("alarmclock" = U+23F0 ALARM CLOCK). Rule, fixed before any training
 * or evaluation on it: an icon is eligible when its name equals exactly one Unicode character
 * name so squashed (Python's unicodedata, Unicode 14.0.0: Debian 12's /usr/bin/python3; refused
 * otherwise), it is not hidden, its SVG body is no other icon's (four pictures have two names,
 * e.g. whitestar = whitemediumstar: all eight are dropped) and its caption is not another icon's
 * (none is: the script refuses otherwise); caption = the CLDR English
 * name of that character (emojibase-data@17.0.0 `label`, the hexcode with or without FE0F, the
 * package training/fetch.py pins) when it is an emoji, else its Unicode name in lower case
 * (pictographs such as U+1F5CE DOCUMENT that fxemoji drew but are not emoji). 660 names match,
 * 654 eligible;
 * concept = icon name. mulberry32(12) over the sorted names: the first 450 to train, the next 150
 * to valid. Checked: no concept, caption or image (sha256 of the PNG) on both sides.
 *
 *   tsx bench/train/build-fxemoji.ts [--train 450] [--valid 150] [--seed 12]
 * writes bench/.cache/train/fxemoji-{train,valid}.tsv (EasyNLP pairs: text<TAB>base64 PNG).
 */
import '../shared/help'; // --help: this script's header comment
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { arg, fetchPackage, writeSplit, type IconSet } from './iconify';

const PKG = '@iconify-json/fxemoji@1.2.2';
const INTEGRITY = 'sha512-UAasRaxzFUKfIGSmLwnoarsssA4LX0VLLuEmplIqM6ZNQqIQRtav8tZ4H1neTlBreXuMQyAifr5jP4kn78DpiQ==';
const EMOJIBASE = 'emojibase-data@17.0.0';
const EMOJIBASE_INTEGRITY = 'sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==';
const UNICODE_VERSION = '14.0.0';

// squashed Unicode name → [code point, name] for every named character; ambiguous keys dropped
const PY = `
import json, sys, unicodedata
if unicodedata.unidata_version != sys.argv[1]:
    sys.exit('unicodedata is Unicode %s, the rule needs %s' % (unicodedata.unidata_version, sys.argv[1]))
idx = {}
for cp in range(0x20, 0x110000):
    try: n = unicodedata.name(chr(cp))
    except ValueError: continue
    idx.setdefault(n.lower().replace(' ', '').replace('-', ''), []).append([cp, n])
json.dump({k: v[0] for k, v in idx.items() if len(v) == 1}, sys.stdout)
`;

async function main() {
  const dir = fetchPackage(PKG, INTEGRITY, 'fxemoji', ['icons.json']);
  const set = JSON.parse(fs.readFileSync(path.join(dir, 'icons.json'), 'utf8')) as IconSet;
  const eb = fetchPackage(EMOJIBASE, EMOJIBASE_INTEGRITY, 'emojibase-data', ['en/data.json']);
  const labels = new Map<string, string>();
  for (const e of JSON.parse(fs.readFileSync(path.join(eb, 'en/data.json'), 'utf8')) as { hexcode: string; label: string }[]) labels.set(e.hexcode, e.label);
  const names = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, UNICODE_VERSION], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, [number, string]>;
  // one picture under two names (blacktelephone = blacktouchtonetelephone, …): neither is a concept
  const bodies = new Map<string, number>();
  for (const icon of Object.values(set.icons)) bodies.set(icon.body, (bodies.get(icon.body) ?? 0) + 1);
  const captions = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const name of Object.keys(set.icons).sort()) {
    const hit = names[name];
    if (!hit || set.icons[name].hidden || bodies.get(set.icons[name].body)! > 1) continue;
    const hex = hit[0].toString(16).toUpperCase().padStart(4, '0');
    const caption = labels.get(hex) ?? labels.get(`${hex}-FE0F`) ?? hit[1].toLowerCase();
    if (owner.has(caption)) throw new Error(`caption "${caption}" of ${name} is also ${owner.get(caption)}'s`);
    owner.set(caption, name);
    captions.set(name, caption);
  }
  const concepts = new Map([...captions.keys()].map((n) => [n, n]));
  // the view box is 512 × 512: rasterise at 1× (not the 8× of 16-unit sets) before the 128 px resize
  await writeSplit('fxemoji', set, concepts, { nTrain: arg('train', 450), nValid: arg('valid', 150), seed: arg('seed', 12), caption: (c) => captions.get(c)!, scale: 1 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
