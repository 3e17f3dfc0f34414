/**
 * Images with known text in them, for OCR tests and bench/ocr.ts: an SVG rendered by sharp
 * (librsvg, fonts through fontconfig). Latin text uses DejaVu Sans; Chinese uses WenQuanYi Zen Hei
 * (Debian's fonts-wqy-zenhei), which must be installed, or the glyphs come out as empty boxes and
 * the OCR test would fail for a reason that is not OCR's: `assertCjkFont` says so first.
 */
import fs from 'node:fs';
import sharp from 'sharp';

export const CJK_FONT_FILE = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
export const LATIN_FONT = 'DejaVu Sans';
export const CJK_FONT = 'WenQuanYi Zen Hei';

export function assertCjkFont(): void {
  if (!fs.existsSync(CJK_FONT_FILE)) throw new Error(`${CJK_FONT_FILE} is missing: apt-get install fonts-wqy-zenhei (the Chinese OCR tests render their text with it)`);
}

export interface TextSpan {
  text: string;
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  font?: string;
  fill?: string;
  bold?: boolean;
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** A width × height image (white, or `background`) with the spans drawn on it. */
export async function renderText(width: number, height: number, spans: TextSpan[], opts: { background?: string; format?: 'png' | 'jpeg'; extraSvg?: string } = {}): Promise<Buffer> {
  const body = spans
    .map((s) => `<text x="${s.x}" y="${s.y}" font-family="${s.font ?? (/[\u3400-\u9fff]/.test(s.text) ? CJK_FONT : LATIN_FONT)}" font-size="${s.size}"${s.bold ? ' font-weight="bold"' : ''} fill="${s.fill ?? '#111'}">${escapeXml(s.text)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${opts.background ?? '#fff'}"/>${opts.extraSvg ?? ''}${body}</svg>`;
  const img = sharp(Buffer.from(svg));
  return opts.format === 'jpeg' ? img.jpeg({ quality: 90 }).toBuffer() : img.png().toBuffer();
}
