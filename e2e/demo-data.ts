/**
 * The demo validation split as the e2e tests see it: captions and image bytes by line, read with
 * plain Node (no lib/ code, so the tests check the app, not themselves), and small files made from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const VALID_TSV = path.resolve('demo/valid.tsv');

export interface DemoLine {
  line: number;
  text: string;
  image: Buffer;
}

let cache: DemoLine[] | undefined;

export function demoLines(): DemoLine[] {
  if (cache) return cache;
  const raw = fs.readFileSync(VALID_TSV, 'utf8').split('\n');
  cache = raw
    .map((l, i) => ({ l: l.replace(/\r$/, ''), line: i + 1 }))
    .filter(({ l }) => l.includes('\t'))
    .map(({ l, line }) => {
      const [text, b64] = l.split('\t');
      return { line, text, image: Buffer.from(b64, 'base64') };
    });
  return cache;
}

export function demoLine(n: number): DemoLine {
  const d = demoLines().find((x) => x.line === n);
  if (!d) throw new Error(`demo/valid.tsv has no line ${n}`);
  return d;
}

/** Captions of every line whose image has the same bytes as line n (identical images merge into one). */
export function captionsOfImage(n: number): string[] {
  const img = demoLine(n).image;
  return demoLines()
    .filter((d) => d.image.equals(img))
    .map((d) => d.text);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-e2e-files-'));

/** Write a file for an upload and return its path. */
export function tmpFile(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, content);
  return p;
}

/** A file of `bytes` bytes (sparse where the file system allows). */
export function bigFile(name: string, bytes: number): string {
  const p = path.join(tmp, name);
  const fd = fs.openSync(p, 'w');
  fs.ftruncateSync(fd, bytes);
  fs.closeSync(fd);
  return p;
}

/** Lines `from`..`to` of the demo split as a pairs file, plus any extra raw lines. */
export function pairsFile(name: string, from: number, to: number, extra: string[] = []): string {
  const lines = fs.readFileSync(VALID_TSV, 'utf8').split('\n').slice(from - 1, to);
  return tmpFile(name, [...lines, ...extra].join('\n') + '\n');
}
