/**
 * A folder of image files, each with an optional caption in a same-name `.txt`
 * (`cat.png` + `cat.txt`). Sub-folders are walked; hidden entries are skipped; the order is the
 * sorted relative path, so line numbers (the image's position) are stable between runs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeUtf8, textProblem } from './parse-line';
import { tooLongReason } from './limits';
import type { CorpusRecord } from './types';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff', '.svg', '.bmp']);

/** Image files under `dir`, relative paths with `/`, sorted. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(r);
    }
  };
  await walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function statSize(p: string): Promise<number | undefined> {
  try {
    return (await fs.stat(p)).size;
  } catch {
    return undefined;
  }
}

export async function* readFolder(dir: string, maxBytes: number): AsyncGenerator<CorpusRecord> {
  const files = await listImageFiles(dir);
  for (let i = 0; i < files.length; i++) {
    const line = i + 1;
    const file = files[i];
    const abs = path.join(dir, file);
    const size = (await statSize(abs)) ?? 0;
    if (size > maxBytes) {
      yield { kind: 'error', line, file, reason: tooLongReason(size, maxBytes, 'file') };
      continue;
    }
    let image: Buffer;
    try {
      image = await fs.readFile(abs);
    } catch (e) {
      yield { kind: 'error', line, file, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
      continue;
    }
    const captionFile = file.slice(0, file.length - path.extname(file).length) + '.txt';
    const captionSize = await statSize(path.join(dir, captionFile));
    let caption: string | undefined;
    if (captionSize !== undefined) {
      if (captionSize > maxBytes) {
        yield { kind: 'error', line, file: captionFile, reason: tooLongReason(captionSize, maxBytes, 'caption file') };
      } else {
        const d = decodeUtf8(await fs.readFile(path.join(dir, captionFile)), 'caption');
        if (!d.ok) yield { kind: 'error', line, file: captionFile, reason: d.reason };
        else if (d.value.trim() === '') yield { kind: 'error', line, file: captionFile, reason: 'caption is empty' };
        else {
          const problem = textProblem(d.value.trim(), 'caption');
          if (problem) yield { kind: 'error', line, file: captionFile, reason: problem };
          else caption = d.value.trim(); // trim() also drops a BOM
        }
      }
    }
    yield caption === undefined ? { kind: 'image', line, image, file } : { kind: 'image', line, image, file, caption };
  }
}
