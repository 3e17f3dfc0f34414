/**
 * Near-duplicate groups as stored: links (DuplicateEdge, one row per pair, imageId < otherId) and
 * each linked image's group (DuplicateMember). A group is a connected component of the links of
 * one model (single linkage). `regroup` rewrites the groups of the components that hold the given
 * images; it is called after anything adds or removes links (ingest, a delete, a rescan), so it
 * walks only those components, never the library.
 *
 * groupId = the smallest Image.id in the group: stable while that image stays, and computable from
 * the component alone (no counter to coordinate between processes). similarity = the group's
 * weakest link (the minimum over its stored links): every member is at least that close to
 * another member, so it is the figure that says how loose the group may be.
 */
import { withBusyRetry, type Db } from '../db';
import { insertRows, sqlRunner } from '../db/sql-runner';
import { Prisma } from '../generated/prisma/client';

export interface GroupInfo {
  groupId: number;
  size: number;
  similarity: number;
}

export interface DuplicateLink {
  imageId: number;
  otherId: number;
  similarity: number;
}

const CHUNK = 500; // ids per IN (…): well under SQLite's and PostgreSQL's bound-variable limits

export function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * The group of each of `imageIds` that is in a group of ≥ 2 for `modelId` (others are absent from
 * the map). One indexed query per 500 ids: cheap enough to run on every search page.
 */
export async function duplicateGroupsOf(db: Db, imageIds: number[], modelId: string): Promise<Map<number, GroupInfo>> {
  const out = new Map<number, GroupInfo>();
  const ids = [...new Set(imageIds.filter((i) => Number.isInteger(i)))];
  for (const part of chunks(ids)) {
    const rows = await db.duplicateMember.findMany({ where: { modelId, imageId: { in: part } }, select: { imageId: true, groupId: true, size: true, similarity: true } });
    for (const r of rows) out.set(r.imageId, { groupId: r.groupId, size: r.size, similarity: r.similarity });
  }
  return out;
}

/** Every member of the groups `groupIds` for `modelId`, as image id → group id (indexed by modelId, groupId). */
export async function membersOfGroups(db: Db, groupIds: number[], modelId: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const part of chunks([...new Set(groupIds)])) {
    const rows = await db.duplicateMember.findMany({ where: { modelId, groupId: { in: part } }, select: { imageId: true, groupId: true } });
    for (const r of rows) out.set(r.imageId, r.groupId);
  }
  return out;
}

/** Stores links (a pair found twice keeps its higher similarity). Pairs are ordered here. */
export async function saveLinks(db: Db, modelId: string, links: DuplicateLink[]): Promise<number> {
  const best = new Map<string, DuplicateLink>();
  for (const l of links) {
    if (l.imageId === l.otherId) continue;
    const [a, b] = l.imageId < l.otherId ? [l.imageId, l.otherId] : [l.otherId, l.imageId];
    const key = `${a}:${b}`;
    const prev = best.get(key);
    if (!prev || prev.similarity < l.similarity) best.set(key, { imageId: a, otherId: b, similarity: l.similarity });
  }
  const rows = [...best.values()];
  // SQL of our own (lib/db/sql-runner.ts): this runs after every ingest batch, on its main thread.
  for (const part of chunks(rows, 200)) {
    await withBusyRetry(() =>
      db.$transaction(async (tx) => {
        const sql = sqlRunner(db, tx);
        // The stored pairs among these ids (a superset of the pairs asked for; filtered below).
        const existing = await sql.query<{ imageId: number; otherId: number }>(Prisma.sql`
          SELECT "imageId", "otherId" FROM "DuplicateEdge" WHERE "modelId" = ${modelId}
            AND "imageId" IN (${Prisma.join([...new Set(part.map((p) => p.imageId))])}) AND "otherId" IN (${Prisma.join([...new Set(part.map((p) => p.otherId))])})`);
        const have = new Set(existing.map((e) => `${e.imageId}:${e.otherId}`));
        const fresh = part.filter((p) => !have.has(`${p.imageId}:${p.otherId}`));
        if (!fresh.length) return;
        // An image deleted since its neighbours were found has no row to link to: skip such pairs
        // rather than fail the whole batch on the foreign key.
        const ids = [...new Set(fresh.flatMap((p) => [p.imageId, p.otherId]))];
        const alive = new Set((await sql.query<{ id: number }>(Prisma.sql`SELECT "id" FROM "Image" WHERE "id" IN (${Prisma.join(ids)})`)).map((r) => r.id));
        const data = fresh.filter((p) => alive.has(p.imageId) && alive.has(p.otherId)).map((p) => [modelId, p.imageId, p.otherId, p.similarity]);
        // Another writer may store the same pair meanwhile (two ingests, or one linking pending images).
        if (data.length) await insertRows(sql, 'DuplicateEdge', ['modelId', 'imageId', 'otherId', 'similarity'], data, [], 'ON CONFLICT DO NOTHING');
      }),
    );
  }
  return rows.length;
}

/** Every image linked (transitively) to one of `seeds` for the model, with the links among them. */
async function componentOf(db: Db, modelId: string, seeds: number[]): Promise<{ nodes: Set<number>; links: DuplicateLink[] }> {
  const nodes = new Set(seeds);
  const seen = new Set<string>();
  const links: DuplicateLink[] = [];
  let frontier = [...nodes];
  const sql = sqlRunner(db);
  while (frontier.length) {
    const next: number[] = [];
    for (const part of chunks(frontier)) {
      const ids = Prisma.join(part);
      const rows = await sql.query<DuplicateLink>(Prisma.sql`
        SELECT "imageId", "otherId", "similarity" FROM "DuplicateEdge" WHERE "modelId" = ${modelId} AND ("imageId" IN (${ids}) OR "otherId" IN (${ids}))`);
      for (const r of rows) {
        const key = `${r.imageId}:${r.otherId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        links.push(r);
        for (const id of [r.imageId, r.otherId]) {
          if (!nodes.has(id)) {
            nodes.add(id);
            next.push(id);
          }
        }
      }
    }
    frontier = next;
  }
  return { nodes, links };
}

/** Connected components (union-find) of `links`, as member → group. Components of one image are left out. */
export function groupLinks(links: DuplicateLink[]): Map<number, GroupInfo> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r)! !== r) r = parent.get(r)!;
    while (parent.get(x)! !== r) {
      const n = parent.get(x)!;
      parent.set(x, r);
      x = n;
    }
    return r;
  };
  for (const l of links) {
    for (const id of [l.imageId, l.otherId]) if (!parent.has(id)) parent.set(id, id);
    const a = find(l.imageId);
    const b = find(l.otherId);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b)); // the root stays the smallest id
  }
  const size = new Map<number, number>();
  const weakest = new Map<number, number>();
  for (const id of parent.keys()) size.set(find(id), (size.get(find(id)) ?? 0) + 1);
  for (const l of links) {
    const g = find(l.imageId);
    weakest.set(g, Math.min(weakest.get(g) ?? Infinity, l.similarity));
  }
  const out = new Map<number, GroupInfo>();
  for (const id of parent.keys()) {
    const g = find(id);
    if (size.get(g)! >= 2) out.set(id, { groupId: g, size: size.get(g)!, similarity: weakest.get(g)! });
  }
  return out;
}

/**
 * Rewrites the groups of the components that hold `seeds` (images just linked, or the former
 * members of a group that lost an image or a link). Idempotent: running it again on the same
 * links writes the same rows, so a race between two writers is repaired by the next regroup.
 */
export async function regroup(db: Db, modelId: string, seeds: Iterable<number>): Promise<void> {
  const start = [...new Set(seeds)];
  if (!start.length) return;
  const { nodes, links } = await componentOf(db, modelId, start);
  const groups = groupLinks(links);
  const all = [...nodes];
  await withBusyRetry(() =>
    db.$transaction(
      async (tx) => {
        const sql = sqlRunner(db, tx);
        for (const part of chunks(all)) await sql.execute(Prisma.sql`DELETE FROM "DuplicateMember" WHERE "modelId" = ${modelId} AND "imageId" IN (${Prisma.join(part)})`);
        const alive = new Set<number>();
        for (const part of chunks([...groups.keys()])) {
          for (const r of await sql.query<{ id: number }>(Prisma.sql`SELECT "id" FROM "Image" WHERE "id" IN (${Prisma.join(part)})`)) alive.add(r.id);
        }
        const data = [...groups].filter(([id]) => alive.has(id)).map(([imageId, g]) => [imageId, modelId, g.groupId, g.size, g.similarity]);
        if (data.length) await insertRows(sql, 'DuplicateMember', ['imageId', 'modelId', 'groupId', 'size', 'similarity'], data);
      },
      { timeout: 120_000, maxWait: 120_000 },
    ),
  );
}

/** Members of the groups that hold `imageIds` (every model): the seeds to regroup once they are gone. */
export async function groupMatesOf(db: Db, imageIds: number[]): Promise<Map<string, number[]>> {
  const out = new Map<string, Set<number>>();
  const groups: { modelId: string; groupId: number }[] = [];
  for (const part of chunks(imageIds)) {
    groups.push(...(await db.duplicateMember.findMany({ where: { imageId: { in: part } }, select: { modelId: true, groupId: true } })));
  }
  const byModel = new Map<string, Set<number>>();
  for (const g of groups) (byModel.get(g.modelId) ?? byModel.set(g.modelId, new Set()).get(g.modelId)!).add(g.groupId);
  for (const [modelId, gids] of byModel) {
    for (const part of chunks([...gids])) {
      const rows = await db.duplicateMember.findMany({ where: { modelId, groupId: { in: part } }, select: { imageId: true } });
      const set = out.get(modelId) ?? out.set(modelId, new Set()).get(modelId)!;
      for (const r of rows) set.add(r.imageId);
    }
  }
  return new Map([...out].map(([m, s]) => [m, [...s]]));
}
