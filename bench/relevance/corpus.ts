/**
 * The relevance benchmark's corpus and query sets (bench/relevance.ts): the demo corpus's captions
 * and images, plus generated images with an English product code ("QX-4471") or a Chinese word
 * rendered inside them (sharp renders the SVG text; the Chinese glyphs come from
 * fonts-wqy-zenhei) under one shared caption, so only the text in the image tells them apart.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { makeRng } from '../shared/rng';

export interface RelevanceQuery {
  set: 'caption' | 'exact-word' | 'negation' | 'text-in-image';
  query: string;
  /** Image keys (line numbers in the ingested file, 1-based) that count as right answers. */
  relevant: Set<number>;
  /** Negation: the excluded word (a hit whose caption holds it is a violation). */
  excluded?: string;
}

export const GENERATED_CAPTION = 'a product label 商品标签';
const WORDS_ZH = ['牛肉面', '汽车', '咖啡', '手机壳', '连衣裙', '运动鞋', '巧克力', '笔记本', '矿泉水', '洗发水', '雨伞', '牙膏', '书包', '台灯', '茶叶', '饼干', '口罩', '眼镜', '毛巾', '蜂蜜'];

function codes(n: number): string[] {
  const rng = makeRng(4471);
  const L = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const out = new Set<string>();
  while (out.size < n) out.add(`${L[Math.floor(rng() * L.length)]}${L[Math.floor(rng() * L.length)]}-${1000 + Math.floor(rng() * 9000)}`);
  return [...out];
}

/** A 256×256 label: dark text on a light card over a coloured background. */
async function renderLabel(text: string, i: number): Promise<Buffer> {
  const hue = (i * 47) % 360;
  const size = [...text].length > 5 ? 34 : 44;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">
    <rect width="256" height="256" fill="hsl(${hue},45%,55%)"/>
    <rect x="16" y="88" width="224" height="80" rx="8" fill="#f8f8f4"/>
    <text x="128" y="142" font-family="WenQuanYi Zen Hei, sans-serif" font-size="${size}" text-anchor="middle" fill="#111">${text}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface RelevanceCorpus {
  /** The pairs TSV to ingest: demo lines first, then the generated ones. */
  lines: { caption: string; image: Buffer }[];
  queries: RelevanceQuery[];
}

const lower = (s: string) => s.toLowerCase();

export async function buildCorpus(demoFile: string, nCodes = 20): Promise<RelevanceCorpus> {
  const demo = fs
    .readFileSync(demoFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [caption, b64] = l.split('\t');
      return { caption, image: Buffer.from(b64, 'base64') };
    });
  const captions = demo.map((d) => lower(d.caption));
  const has = (w: string) => captions.map((c, i) => (c.includes(lower(w)) ? i + 1 : 0)).filter(Boolean);
  // Generated labels: words that appear in no demo caption, so the label is the only answer.
  const zh = WORDS_ZH.filter((w) => has(w).length === 0);
  const texts = [...codes(nCodes), ...zh];
  const lines: RelevanceCorpus['lines'] = [...demo];
  const queries: RelevanceQuery[] = [];
  for (const [i, t] of texts.entries()) {
    lines.push({ caption: GENERATED_CAPTION, image: await renderLabel(t, i) });
    queries.push({ set: 'text-in-image', query: t, relevant: new Set([lines.length]) });
  }

  // caption: a whole caption finds its image(s) (the everyday search; CLIP's home ground).
  const seen = new Set<string>();
  for (const d of demo) {
    if (seen.has(d.caption) || seen.size >= 100) continue;
    seen.add(d.caption);
    queries.push({ set: 'caption', query: d.caption, relevant: new Set(has(d.caption).filter((n) => captions[n - 1] === lower(d.caption))) });
  }

  // exact-word: a word of ≥ 4 letters (or a Chinese caption's 2-character part) held by 1–3 captions.
  const words = new Map<string, number[]>();
  for (const c of captions) {
    const parts = [...c.matchAll(/[a-z]{4,}/g)].map((m) => m[0]);
    const han = [...c.matchAll(/[\u4e00-\u9fff]{2,}/g)].flatMap((m) => [...m[0]].slice(0, -1).map((_, j) => m[0].slice(j, j + 2)));
    for (const w of [...parts, ...han]) if (!words.has(w)) words.set(w, has(w));
  }
  const rare = [...words].filter(([w, ids]) => ids.length >= 1 && ids.length <= 3 && !captions.some((c) => c === w)).sort(([a], [b]) => (a < b ? -1 : 1));
  const rng = makeRng(11);
  const pick = <T>(xs: T[], n: number) => xs.map((x) => ({ x, r: rng() })).sort((a, b) => a.r - b.r).slice(0, n).map((p) => p.x);
  for (const [w, ids] of pick(rare, 60)) queries.push({ set: 'exact-word', query: w, relevant: new Set(ids) });

  // negation: "X -Y" where X is held by ≥ 3 captions and Y by some, not all, of them.
  const common = [...words].filter(([, ids]) => ids.length >= 3);
  const neg: RelevanceQuery[] = [];
  for (const [x, xs] of common) {
    let per = 0;
    for (const [y, ys] of words) {
      if (y === x || y.includes(x) || x.includes(y)) continue;
      const both = xs.filter((n) => ys.includes(n));
      if (!both.length || both.length === xs.length) continue;
      neg.push({ set: 'negation', query: `${x} -${y}`, relevant: new Set(xs.filter((n) => !ys.includes(n))), excluded: y });
      if (++per >= 4) break;
    }
  }
  queries.push(...pick(neg, 40));
  return { lines, queries };
}
