/**
 * Re-draw the recall/latency chart from one or more saved search results (bench/.cache/results/
 * search-*.json), e.g. when the 256-d and 512-d runs at 1M were separate invocations.
 *
 *   npx tsx bench/search/render-chart.ts --n 1000000 --out bench/search-recall-latency-1m.svg results1.json [results2.json …]
 */
import fs from 'node:fs';
import { parseArgs } from '../shared/stats';
import { writeChart, type ChartSeries } from './chart';
import type { SweepRow } from './worker';

interface Saved {
  machine: { cpu: string; date: string };
  params: { m: number; efConstruction: number };
  results: { data: string; dim: number; n: number; engines: Record<string, { query: { rows: SweepRow[] } }> }[];
}

const argv = process.argv.slice(2);
const args = parseArgs(argv);
const files = argv.filter((a, i) => a.endsWith('.json') && !argv[i - 1]?.startsWith('--'));
const n = Number(args.get('n') ?? 1_000_000);
const saved = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Saved);
const series: ChartSeries[] = [];
for (const s of saved)
  for (const r of s.results.filter((x) => x.n === n))
    for (const [e, x] of Object.entries(r.engines))
      if (e !== 'brute') {
        // Runs that swept different ef values for the same engine and data join into one line.
        const panel = `${r.data} vectors, dim ${r.dim}`;
        const pts = x.query.rows.map((y) => ({ x: y.p50, y: y.recall, tag: String(y.ef) }));
        const same = series.find((q) => q.panel === panel && q.label === e);
        if (same) same.points = [...same.points, ...pts].sort((a, b) => Number(a.tag) - Number(b.tag));
        else series.push({ panel, label: e, points: pts });
      }
series.sort((a, b) => a.panel.localeCompare(b.panel));
const p = saved[0].params;
const dates = [...new Set(saved.map((s) => s.machine.date.slice(0, 10)))].join(', ');
writeChart(args.get('out') ?? `bench/search-recall-latency.svg`, `Recall@10 vs p50 latency, N=${n.toLocaleString('en-US')} (labels: ef; M=${p.m}, efC=${p.efConstruction}) — ${saved[0].machine.cpu.split(' [')[0]}, ${dates}`, series);
console.log(`${series.length} series → ${args.get('out') ?? 'bench/search-recall-latency.svg'}`);
