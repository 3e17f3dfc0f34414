/**
 * Finding a stored original (issue 13: "stay fast at a million images"). Originals live in 256
 * two-letter folders (blobs/ab/<sha>.<ext>), so a library of N images holds ~N/256 files a folder:
 * ~4 at 1,000 images, ~400 at 100,000, ~4,000 at a million. The store used to find an original by
 * listing its folder (ingest did it for every new image, the image page and /api/images for every
 * view); it now tries each extension an original can have (JPEG first). Both are timed on the
 * same folders in the same run, per lookup, median of --repeats rounds of --lookups lookups:
 * - baseline: the listing it replaced (fs.readdir + find, kept here verbatim);
 * - store: createBlobStore(dir).hasOriginal for a JPEG, a PNG and an absent sha, and
 *   putOriginal of a JPEG already stored (what an ingest of a known image does);
 * - store: sweepTemp when no writer died since the last sweep (what every ingest start runs; it
 *   used to list all 512 folders, blobs and thumbs: 512 × the baseline's listing).
 *
 *   npx tsx bench/store-lookup.ts [--sizes 4,400,4000] [--lookups 300] [--repeats 5]
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createBlobStore, sha256Hex } from '../lib/store/blob-store';
import { CACHE, printFooter, printHeader } from './shared/machine';
import { fmt, median, numListArg, parseArgs, table } from './shared/stats';

const args = parseArgs(process.argv.slice(2));
const sizes = numListArg(args, 'sizes', '4,400,4000');
const lookups = Number(args.get('lookups') ?? 300);
const repeats = Number(args.get('repeats') ?? 5);

printHeader('finding a stored original — bench/store-lookup.ts');

/** The lookup the store used before (lib/store/blob-store.ts findOriginal until this change). */
async function listingLookup(dir: string, sha: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return undefined;
  }
  const name = names.find((n) => n.startsWith(`${sha}.`) && !n.includes('.tmp-'));
  return name ? path.join(dir, name) : undefined;
}

/** CPU and wall milliseconds per call of `f`, over `lookups` calls. */
async function timed(f: (i: number) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < lookups; i++) await f(i);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / lookups, cpu: (c.user + c.system) / 1000 / lookups };
}

const rows: (string | number)[][] = [];
/** Its baseline is the sweep it replaced: a listing of each of the 2 × 256 folders. */
const SWEEP = 'store: sweepTemp, no writer died (baseline: 512 listings)';
for (const size of sizes) {
  // One store whose folder "ab" holds `size` originals, as a library of ~256 × size images would.
  const root = path.join(CACHE, 'store-lookup', `n${size}`);
  fs.rmSync(root, { recursive: true, force: true });
  const store = createBlobStore(root);
  const folder = path.join(root, 'blobs', 'ab');
  fs.mkdirSync(folder, { recursive: true });
  const shaIn = (i: number) => `ab${sha256Hex(Buffer.from(`n${size} ${i}`)).slice(2)}`;
  for (let i = 0; i < size; i++) fs.writeFileSync(path.join(folder, `${shaIn(i)}.${i % 4 === 3 ? 'png' : 'jpg'}`), '');
  const jpeg = Array.from({ length: size }, (_, i) => shaIn(i)).filter((_, i) => i % 4 !== 3);
  const png = Array.from({ length: size }, (_, i) => shaIn(i)).filter((_, i) => i % 4 === 3);
  const absent = (i: number) => `ab${sha256Hex(Buffer.from(`absent ${i}`)).slice(2)}`;
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length];

  const runs: Record<string, { wall: number; cpu: number }[]> = {};
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ['baseline: folder listing (a JPEG)', (i) => listingLookup(folder, pick(jpeg, i))],
    ['store: hasOriginal, a JPEG', (i) => store.hasOriginal(pick(jpeg, i))],
    ...(png.length ? ([['store: hasOriginal, a PNG', (i: number) => store.hasOriginal(pick(png, i))]] as [string, (i: number) => Promise<unknown>][]) : []),
    ['store: hasOriginal, absent', (i) => store.hasOriginal(absent(i))],
    ['store: putOriginal, a JPEG already stored', (i) => store.putOriginal(pick(jpeg, i), 'jpeg', Buffer.alloc(0))],
    // What every ingest start runs: with no writer dead since the last sweep, no folder is listed.
    [SWEEP, () => store.sweepTemp()],
  ];
  await store.sweepTemp(); // the one full sweep of a store older than the writer markers
  for (let r = 0; r < repeats; r++) {
    for (const [name, f] of cases) (runs[name] ??= []).push(await timed(f));
  }
  const base = median(runs[cases[0][0]].map((x) => x.cpu));
  for (const [name] of cases) {
    const cpu = median(runs[name].map((x) => x.cpu));
    rows.push([size, `~${(size * 256).toLocaleString('en-US')}`, name, fmt(median(runs[name].map((x) => x.wall)), 3), fmt(cpu, 3), fmt(((name === SWEEP ? 512 : 1) * base) / cpu, 2)]);
  }
  fs.rmSync(root, { recursive: true, force: true });
}
console.log(table(['files a folder', 'library', 'lookup', 'median wall ms', 'median CPU ms', 'baseline CPU / CPU'], rows));
printFooter();
