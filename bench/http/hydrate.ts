/**
 * The hit-hydration step of lib/search on the HTTP bench's 1M data dir, for 24 random labels at a
 * time: lib/db's imagesByLabels (two raw statements through Prisma's $queryRaw, since 2026-11-27)
 * against the baseline it replaced (a Prisma nested select, kept here verbatim) and the floor (one
 * SQL statement straight through better-sqlite3, no Prisma).
 *
 *   CLIPDEX_DATA_DIR=bench/.cache/http/data-n1000000-d256 npx tsx bench/http/hydrate.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getConfig } from '../../lib/config';
import { getDb, imagesByLabels } from '../../lib/db';
import { printFooter, printHeader } from '../shared/machine';
import { percentile, table } from '../shared/stats';

printHeader('Hit hydration: lib/db imagesByLabels vs a Prisma nested select vs better-sqlite3 (24 labels)', ['@prisma/client', 'better-sqlite3']);

/** The implementation lib/db used before (the baseline). */
async function nestedSelect(labels: number[]) {
  const rows = await db.imageVector.findMany({
    where: { id: { in: labels } },
    select: {
      id: true,
      image: {
        select: {
          id: true, sha256: true, width: true, height: true,
          dataset: { select: { name: true } },
          texts: { take: 20, orderBy: { textId: 'asc' }, select: { text: { select: { text: true } } } },
        },
      },
    },
  });
  return new Map(rows.map((r) => [r.id, r]));
}

const cfg = getConfig();
const db = getDb(cfg.databaseUrl);
const sq = new Database(path.join(cfg.dataDir, 'clipdex.db'), { readonly: true });
const n = (sq.prepare('SELECT count(*) AS n FROM "ImageVector"').get() as { n: number }).n;
const stmt = sq.prepare(`SELECT v.id AS label, i.id AS imageId, i.sha256, i.width, i.height, d.name AS dataset,
  (SELECT json_group_array(t.text) FROM (SELECT t.text FROM "ImageText" it JOIN "Text" t ON t.id = it.textId WHERE it.imageId = i.id ORDER BY it.textId LIMIT 5) t) AS captions
  FROM "ImageVector" v JOIN "Image" i ON i.id = v.imageId JOIN "Dataset" d ON d.id = i.datasetId WHERE v.id IN (SELECT value FROM json_each(?))`);
const labels = () => Array.from({ length: 24 }, () => Math.floor(Math.random() * n));
// Warm the OS page cache first (the file is ~1.3 GB at 1M; a server that has been up a while has
// it cached), and rotate the order of the three methods per lookup: whichever runs first on a
// label set pays for any page still cold, which made an earlier version of this bench unfair.
const fd = fs.openSync(path.join(cfg.dataDir, 'clipdex.db'), 'r');
const chunk = Buffer.alloc(8 << 20);
while (fs.readSync(fd, chunk, 0, chunk.length, null) > 0);
fs.closeSync(fd);
const a: number[] = [], b: number[] = [], c: number[] = [];
for (let r = 0; r < 320; r++) {
  const ls = labels();
  let m: Awaited<ReturnType<typeof imagesByLabels>> | undefined;
  let nested: Awaited<ReturnType<typeof nestedSelect>> | undefined;
  let rows: unknown[] = [];
  const runs = [
    async () => { const t = performance.now(); m = await imagesByLabels(db, ls); if (r >= 20) a.push(performance.now() - t); },
    async () => { const t = performance.now(); rows = stmt.all(JSON.stringify(ls)) as unknown[]; if (r >= 20) b.push(performance.now() - t); },
    async () => { const t = performance.now(); nested = await nestedSelect(ls); if (r >= 20) c.push(performance.now() - t); },
  ];
  for (let i = 0; i < 3; i++) await runs[(r + i) % 3]();
  if (!m || !nested || rows.length !== m.size || nested.size !== m.size) throw new Error(`row counts differ: lib/db ${m?.size}, nested ${nested?.size}, raw ${rows.length}`);
  for (const [label, hit] of m) {
    const old = nested.get(label)!;
    if (hit.sha256 !== old.image.sha256 || hit.captions.join('\n') !== old.image.texts.map((x) => x.text.text).join('\n')) throw new Error(`label ${label}: lib/db and the nested select disagree`);
  }
}
console.log(`${n.toLocaleString('en-US')} image vectors; 300 lookups of 24 random labels each (after 20 warm-up), page cache warmed, method order rotated\n`);
console.log(table(['hydration', 'p50 ms', 'p99 ms', 'p50 vs baseline'], [
  ['baseline: Prisma 6 nested select (lib/db before)', percentile(c, 50), percentile(c, 99), '1.00×'],
  ['lib/db imagesByLabels (2 raw statements via $queryRaw)', percentile(a, 50), percentile(a, 99), `${(percentile(c, 50) / percentile(a, 50)).toFixed(1)}× faster`],
  ['floor: 1 statement via better-sqlite3 (no Prisma)', percentile(b, 50), percentile(b, 99), `${(percentile(c, 50) / percentile(b, 50)).toFixed(1)}× faster`],
]));
printFooter();
process.exit(0);
