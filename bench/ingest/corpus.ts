/**
 * Generated ingest corpora, cached under bench/.cache/ingest-speed:
 * - `emoji`: EasyNLP pairs (`caption<TAB>base64 PNG`), 72×72 RGBA PNGs, one caption per image;
 * - `muge`: the Chinese-CLIP/MUGE layout — `id<TAB>base64 JPEG` (500×500, q85) plus a texts JSONL
 *   where each caption names two images (MUGE's texts point at several images each).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE } from '../shared/machine';
import { makeCaptions, makeImage, type ImageKind } from '../shared/images';

export const INGEST_CACHE = path.join(CACHE, 'ingest-speed');

export interface GeneratedCorpus {
  kind: ImageKind;
  images: number;
  path: string;
  texts?: string;
  bytes: number;
}

export async function ensureCorpus(kind: ImageKind, n: number): Promise<GeneratedCorpus> {
  fs.mkdirSync(INGEST_CACHE, { recursive: true });
  const file = path.join(INGEST_CACHE, `${kind}-${n}.tsv`);
  const texts = kind === 'muge' ? path.join(INGEST_CACHE, `${kind}-${n}.texts.jsonl`) : undefined;
  if (!fs.existsSync(file) || (texts && !fs.existsSync(texts))) {
    const captions = makeCaptions(n);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const b64 = (await makeImage(kind, 10_000 + i)).toString('base64');
      lines.push(kind === 'emoji' ? `${captions[i]} ${i}\t${b64}` : `${1_000_000 + i}\t${b64}`);
    }
    if (texts) {
      const t: string[] = [];
      for (let i = 0; i < n; i += 2) t.push(JSON.stringify({ text_id: i / 2, text: `${captions[i]} ${i}`, image_ids: [1_000_000 + i, 1_000_000 + Math.min(n - 1, i + 1)] }));
      fs.writeFileSync(`${texts}.tmp`, t.join('\n') + '\n');
      fs.renameSync(`${texts}.tmp`, texts);
    }
    fs.writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
    fs.renameSync(`${file}.tmp`, file);
  }
  return { kind, images: n, path: file, texts, bytes: fs.statSync(file).size + (texts ? fs.statSync(texts).size : 0) };
}
