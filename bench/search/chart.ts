/** A hand-written SVG line chart (no chart library): one panel per dataset, log-scale x. */
import fs from 'node:fs';

export interface ChartSeries {
  panel: string;
  label: string;
  points: { x: number; y: number; tag: string }[];
}

const COLORS: Record<string, string> = { hnswlib: '#d62728', 'hnswlib-native': '#ff7f0e', usearch: '#1f77b4' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(title: string, series: ChartSeries[], target: { recall: number; ms?: number } = { recall: 0.98 }, xLabel = 'p50 single-query latency, ms (log scale)'): string {
  const panels = [...new Set(series.map((s) => s.panel))];
  const W = 460, H = 340, M = { l: 58, r: 16, t: 34, b: 46 };
  const cols = Math.min(2, panels.length);
  const titleSize = Math.min(13, Math.floor((cols * W) / (title.length * 0.55)));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * W, height = rows * H + 70;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="${titleSize}" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((panel, pi) => {
    const ox = (pi % cols) * W, oy = 24 + Math.floor(pi / cols) * H;
    const ss = series.filter((s) => s.panel === panel);
    const pts = ss.flatMap((s) => s.points).filter((p) => p.x > 0);
    const xs = pts.map((p) => p.x).concat(target.ms ? [target.ms] : []);
    const xmin = Math.min(...xs) / 1.3, xmax = Math.max(...xs) * 1.3;
    const ymin = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.y)) * 10) / 10), ymax = 1;
    const pw = W - M.l - M.r, ph = H - M.t - M.b;
    const sx = (x: number) => ox + M.l + ((Math.log10(x) - Math.log10(xmin)) / (Math.log10(xmax) - Math.log10(xmin))) * pw;
    const sy = (y: number) => oy + M.t + (1 - (y - ymin) / (ymax - ymin || 1)) * ph;
    out.push(`<text x="${ox + M.l + pw / 2}" y="${oy + M.t - 10}" text-anchor="middle" font-weight="bold">${esc(panel)}</text>`);
    out.push(`<rect x="${ox + M.l}" y="${oy + M.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (let e = Math.floor(Math.log10(xmin)); e <= Math.ceil(Math.log10(xmax)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v < xmin || v > xmax) continue;
        out.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${oy + M.t}" y2="${oy + M.t + ph}" stroke="#eee"/>`);
        out.push(`<text x="${sx(v)}" y="${oy + M.t + ph + 14}" text-anchor="middle">${v >= 1 ? v : v.toPrecision(1)}</text>`);
      }
    }
    for (let k = 0; k <= 5; k++) {
      const v = ymin + ((ymax - ymin) * k) / 5;
      out.push(`<line x1="${ox + M.l}" x2="${ox + M.l + pw}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`);
      out.push(`<text x="${ox + M.l - 6}" y="${sy(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
    }
    out.push(`<text x="${ox + M.l + pw / 2}" y="${oy + H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
    out.push(`<text transform="translate(${ox + 14},${oy + M.t + ph / 2}) rotate(-90)" text-anchor="middle">recall@10</text>`);
    if (target.recall >= ymin) out.push(`<line x1="${ox + M.l}" x2="${ox + M.l + pw}" y1="${sy(target.recall)}" y2="${sy(target.recall)}" stroke="#2ca02c" stroke-dasharray="5,4"/>`);
    if (target.ms) out.push(`<line x1="${sx(target.ms)}" x2="${sx(target.ms)}" y1="${oy + M.t}" y2="${oy + M.t + ph}" stroke="#2ca02c" stroke-dasharray="5,4"/>`);
    out.push(`<text x="${ox + M.l + pw - 4}" y="${oy + M.t + ph - 6}" text-anchor="end" fill="#2ca02c">dashed: target recall@10 ≥ ${target.recall}${target.ms ? `, latency &lt; ${target.ms} ms` : ''}</text>`);
    ss.forEach((s, si) => {
      const color = COLORS[s.label] ?? ['#9467bd', '#8c564b', '#17becf'][si % 3];
      const p = s.points.filter((q) => q.x > 0);
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${p.map((q) => `${sx(q.x).toFixed(1)},${sy(q.y).toFixed(1)}`).join(' ')}"/>`);
      for (const q of p) {
        out.push(`<circle cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="3" fill="${color}"/>`);
        out.push(`<text x="${(sx(q.x) + 4).toFixed(1)}" y="${(sy(q.y) + (si % 2 ? 12 : -5)).toFixed(1)}" fill="${color}" font-size="9">${esc(q.tag)}</text>`);
      }
    });
  });
  const labels = [...new Set(series.map((s) => s.label))];
  labels.forEach((l, i) => {
    const x = 20 + i * 170, y = height - 20;
    out.push(`<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${COLORS[l] ?? '#9467bd'}" stroke-width="3"/><text x="${x + 30}" y="${y + 4}">${esc(l)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export function writeChart(file: string, title: string, series: ChartSeries[]): void {
  fs.writeFileSync(file, renderChart(title, series));
}
