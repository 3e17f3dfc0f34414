import { datasetIdFor, lastScan, listGroups } from '@/lib/duplicates';
import { json, route } from '@/app/api/_lib/http';
import { duplicatesQuery } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * GET /api/duplicates?dataset=&limit=&offset= → { threshold, scanned, total, offset, groups:
 * [{ groupId, similarity, images: [{ imageId, sha256, captions, dataset, width, height, format,
 * bytes, thumbUrl, imageUrl }] }] }: the stored near-duplicate groups of the active model
 * (similarity = the group's weakest link), largest first. `scanned` is the last full scan, or null
 * when images ingested before near-duplicates existed may not be grouped yet.
 */
export const GET = route({ query: duplicatesQuery }, async ({ engine, query }) => {
  const modelId = engine.model.info.id;
  const datasetId = query.dataset === undefined ? undefined : await datasetIdFor(engine.db, query.dataset);
  const [page, scan] = await Promise.all([listGroups(engine.db, modelId, { datasetId, limit: query.limit, offset: query.offset }), lastScan(engine.db, modelId)]);
  return json({
    threshold: scan?.threshold ?? engine.config.duplicateThreshold,
    scanned: scan ? scan.scannedAt.toISOString() : null,
    total: page.total,
    offset: query.offset,
    groups: page.groups.map((g) => ({
      groupId: g.groupId,
      similarity: g.similarity,
      images: g.images.map((im) => ({ ...im, thumbUrl: `/api/thumbs/${im.sha256}`, imageUrl: `/api/images/${im.sha256}` })),
    })),
  });
});
