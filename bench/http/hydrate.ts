/**
 * The hit-hydration step of lib/search on the HTTP bench's 1M data dir: lib/db's imagesByLabels
 * (Prisma, nested select) against one raw SQL statement through better-sqlite3 returning the same
 * fields, for 24 random labels at a time.
 *
 *   CLIPDEX_DATA_DIR=bench/.cache/http/data-n1000000-d256 npx tsx bench/http/hydrate.ts
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { getConfig } from '../../lib/config';
import { getDb, imagesByLabels } from '../../lib/db';
import { printFooter, printHeader } from '../shared/machine';
import { percentile, table } from '../shared/stats';

printHeader('Hit hydration: Prisma imagesByLabels vs one raw SQL statement (24 labels)', ['@prisma/client', 'better-sqlite3']);
const cfg = getConfig();
const db = getDb(cfg.databaseUrl);
const sq = new Database(path.join(cfg.dataDir, 'clipdex.db'), { readonly: true });
const n = (sq.prepare('SELECT count(*) AS n FROM "ImageVector"').get() as { n: number }).n;
const stmt = sq.prepare(`SELECT v.id AS label, i.id AS imageId, i.sha256, i.width, i.height, d.name AS dataset,
  (SELECT json_group_array(t.text) FROM (SELECT t.text FROM "ImageText" it JOIN "Text" t ON t.id = it.textId WHERE it.imageId = i.id ORDER BY it.textId LIMIT 5) t) AS captions
  FROM "ImageVector" v JOIN "Image" i ON i.id = v.imageId JOIN "Dataset" d ON d.id = i.datasetId WHERE v.id IN (SELECT value FROM json_each(?))`);
const labels = () => Array.from({ length: 24 }, () => Math.floor(Math.random() * n));
const a: number[] = [], b: number[] = [];
for (let r = 0; r < 220; r++) {
  const ls = labels();
  let t = performance.now();
  const m = await imagesByLabels(db, ls);
  if (r >= 20) a.push(performance.now() - t);
  t = performance.now();
  const rows = stmt.all(JSON.stringify(ls)) as unknown[];
  if (r >= 20) b.push(performance.now() - t);
  if (rows.length !== m.size) throw new Error(`raw SQL returned ${rows.length} rows, Prisma ${m.size}`);
}
console.log(`${n.toLocaleString('en-US')} image vectors; 200 lookups of 24 random labels each (after 20 warm-up)\n`);
console.log(table(['hydration', 'p50 ms', 'p99 ms'], [['lib/db imagesByLabels (Prisma 6, nested select)', percentile(a, 50), percentile(a, 99)], ['one SQL statement (better-sqlite3, json_each + json_group_array)', percentile(b, 50), percentile(b, 99)]]));
printFooter();
process.exit(0);
