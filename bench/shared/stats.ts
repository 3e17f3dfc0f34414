/** Small statistics and formatting helpers shared by the benches. */
import './help'; // --help on every bench script that imports this module

/** Percentile by linear interpolation on a sorted copy (p in [0, 100]). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) return NaN;
  const r = (p / 100) * (a.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return a[lo] + (a[hi] - a[lo]) * (r - lo);
}

export const median = (values: ArrayLike<number>): number => percentile(values, 50);

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

/** A number with a sensible count of significant digits for a table cell. */
export function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return String(x);
  const ax = Math.abs(x);
  if (ax >= 1000) return Math.round(x).toLocaleString('en-US');
  if (ax === 0) return '0';
  return Number(x.toPrecision(digits)).toString();
}

export const mib = (bytes: number): string => `${fmt(bytes / 1048576)} MiB`;

/** A GitHub-flavoured Markdown table (what RESULTS.md takes as is). */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : (c ?? '–'))));
  const width = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i]).length)));
  const line = (r: string[]) => `| ${r.map((c, i) => String(c).padEnd(width[i])).join(' | ')} |`;
  return [line(headers), `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

/** `--name value` / `--name=value` / `--flag` arguments; repeated names keep the last. */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), 'true');
  }
  return out;
}

export function listArg(args: Map<string, string>, name: string, def: string): string[] {
  return (args.get(name) ?? def).split(',').map((s) => s.trim()).filter(Boolean);
}

export function numListArg(args: Map<string, string>, name: string, def: string): number[] {
  return listArg(args, name, def).map((s) => {
    const n = Number(s.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
    if (!Number.isFinite(n)) throw new Error(`--${name}: "${s}" is not a number`);
    return n;
  });
}
