/**
 * Image results (issue 11): the semantic signal (HNSW) and the keyword signal (lib/keyword), each
 * under the same filters, joined by image, held to the query's phrases and exclusions and the
 * score floor, ordered (fused, one signal, or newest first), collapsed by near-duplicate group,
 * then one page hydrated. Every hit carries its cosine similarity to the query (`score`, also for
 * a hit only the keyword signal found: its stored vector is compared) and what each signal said.
 */
import { storedImageQuery } from '../adapters/apply';
import { imageExtras, imageIdsOfLabels, imagesByLabels, keywordDocsOf, labelsOfImages, vectorsOfImages, type ImageFilter } from '../db';
import { duplicateGroupsOf, membersOfGroups } from '../duplicates';
import { keywordSearch, usableTerms, type KeywordHit } from '../keyword';
import type { ParsedQuery } from '../query';
import type { SearchDeps } from './deps';
import { collapsePage } from './collapse';
import { orderCandidates } from './fuse';
import { nearest, filterLabels } from './semantic';
import type { HitSignals, ImageHit, SearchRanking, SearchResult } from './types';

/** Most keyword candidates one search ranks. */
const KEYWORD_POOL = 1000;
/** Fewest candidates each signal brings, so fusion has something to work with on a small page. */
const MIN_POOL = 100;

/** How many candidates each signal brings for a page. */
export const poolSize = (p: { k: number; offset: number; collapse: boolean }): number => {
  const need = p.offset + p.k + 1;
  return Math.max(MIN_POOL, p.collapse ? need * 3 : need);
};

/**
 * The keyword signal's candidates (started by search() while the model embeds the query: the two
 * overlap). With nothing to embed (`browse`), the filtered images themselves, newest first.
 */
export function keywordCandidates(deps: SearchDeps, parsed: ParsedQuery | undefined, filter: ImageFilter, ranking: SearchRanking, browse: boolean, pool: number): Promise<KeywordHit[]> {
  if (ranking === 'semantic' && !browse) return Promise.resolve([]);
  return keywordSearch(deps.db, { terms: usableTerms(parsed?.terms ?? []), exclude: parsed?.exclude ?? [] }, filter, Math.min(pool, KEYWORD_POOL), { browse });
}

export interface ImagePlan {
  vector: Float32Array | null;
  /** The stored query images' own labels (like=, one or a collection): left out. */
  queryLabels?: ReadonlySet<number>;
  parsed?: ParsedQuery;
  filter: ImageFilter;
  ranking: SearchRanking;
  collapse: boolean;
  k: number;
  offset: number;
  minScore: number;
  /** The keyword signal's candidates (keywordCandidates). */
  keyword: Promise<KeywordHit[]>;
}

interface Candidate {
  imageId: number;
  label: number;
  semantic?: { score: number; rank?: number };
  keyword?: KeywordHit;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export async function imageResults(deps: SearchDeps, p: ImagePlan, t0: number): Promise<SearchResult<ImageHit>> {
  const { db } = deps;
  const index = deps.indexes.image;
  const pool = poolSize(p);
  const exclude = p.parsed?.exclude ?? [];

  // Semantic: the nearest vectors among the filtered labels. Keyword: the index's matches.
  const sem = p.vector && p.ranking !== 'keyword' ? await nearest(index, p.vector, pool, await filterLabels(deps, index, p.filter), p.queryLabels) : [];
  const kw = await p.keyword;

  // The keyword hits' labels, and with a query vector their stored vectors too (one query: a hit
  // only the keyword signal found still gets its similarity to the query).
  const vector = p.vector;
  const kwIds = kw.map((h) => h.imageId);
  const [semIds, kwVectors] = await Promise.all([
    imageIdsOfLabels(db, sem.map((h) => h.label)),
    vector ? vectorsOfImages(db, kwIds, index.modelId) : labelsOfImages(db, kwIds, index.modelId).then((m) => new Map([...m].map(([id, label]) => [id, { label, vector: null }]))),
  ]);
  const byImage = new Map<number, Candidate>();
  sem.forEach((h, i) => {
    const imageId = semIds.get(h.label);
    if (imageId !== undefined) byImage.set(imageId, { imageId, label: h.label, semantic: { score: h.score, rank: i + 1 } });
  });
  for (const h of kw) {
    const v = kwVectors.get(h.imageId);
    if (v === undefined || p.queryLabels?.has(v.label)) continue; // no vector for this model yet, or a query image itself
    const c = byImage.get(h.imageId);
    if (c) c.keyword = h;
    else byImage.set(h.imageId, { imageId: h.imageId, label: v.label, keyword: h, semantic: vector && v.vector ? { score: dot(vector, storedImageQuery(deps.model, v.vector)) } : undefined });
  }

  // Phrases must appear and exclusions must not, in every hit (the keyword hits already obey).
  const phrases = (p.parsed?.terms ?? []).filter((t) => t.phrase);
  if (phrases.length || exclude.length) {
    const unchecked = [...byImage.values()].filter((c) => !c.keyword).map((c) => c.imageId);
    const docs = await keywordDocsOf(db, unchecked);
    for (const id of unchecked) {
      const doc = docs.get(id);
      const text = doc ? `${doc.captions}\n${doc.ocr}\n${doc.filename}`.toLowerCase() : '';
      const ok = phrases.every((t) => text.includes(t.text.toLowerCase())) && exclude.every((t) => !text.includes(t.text.toLowerCase()));
      if (!ok) byImage.delete(id);
    }
  }
  if (vector && p.minScore > -Infinity) for (const [id, c] of byImage) if ((c.semantic?.score ?? -1) < p.minScore) byImage.delete(id);
  const ranked = orderCandidates(
    p.ranking,
    [...byImage.values()].map((c) => ({ id: c.imageId, cosine: c.semantic?.score, keywordRank: c.keyword?.rank })),
  );
  for (const [id, rank] of ranked.semanticRank) byImage.get(id)!.semantic!.rank = rank;
  let order = ranked.order;
  if (p.parsed?.sort === 'new') {
    const extras = await imageExtras(db, order);
    order = [...order].sort((a, b) => (extras.get(b)?.createdAt ?? 0) - (extras.get(a)?.createdAt ?? 0) || b - a);
  }
  // Groups only as far down the order as the page needs (collapse.ts): same page, fewer look-ups.
  const { page, hasMore } =
    p.collapse && order.length > 1
      ? await collapsePage(order, p.offset, p.k, {
          groupsOf: async (ids) => new Map([...(await duplicateGroupsOf(db, ids, index.modelId))].map(([id, g]) => [id, g.groupId])),
          membersOf: (groupIds) => membersOfGroups(db, groupIds, index.modelId),
        })
      : { page: order.slice(p.offset, p.offset + p.k).map((id) => ({ id, similar: [] as number[] })), hasMore: order.length > p.offset + p.k };
  const hits = await hydrate(deps, page, byImage);
  return { hits, k: p.k, offset: p.offset, hasMore, tookMs: performance.now() - t0 };
}

async function hydrate(deps: SearchDeps, page: { id: number; similar: number[] }[], byImage: Map<number, Candidate>): Promise<ImageHit[]> {
  const ids = page.map((g) => g.id);
  const [rows, extras] = await Promise.all([imagesByLabels(deps.db, page.map((g) => byImage.get(g.id)!.label)), imageExtras(deps.db, ids)]);
  const hits: ImageHit[] = [];
  for (const g of page) {
    const c = byImage.get(g.id)!;
    const r = rows.get(c.label);
    if (!r) continue; // deleted since
    const signals: HitSignals = {};
    if (c.semantic) signals.semantic = c.semantic;
    if (c.keyword) signals.keyword = { score: c.keyword.score, rank: c.keyword.rank, fields: c.keyword.fields, snippet: c.keyword.snippet };
    const hit: ImageHit = {
      kind: 'image', imageId: r.imageId, score: c.semantic?.score ?? 0, captions: r.captions, dataset: r.dataset,
      width: r.width, height: r.height, sha256: r.sha256, thumbUrl: `/api/thumbs/${r.sha256}`, imageUrl: `/api/images/${r.sha256}`,
      ocrText: extras.get(g.id)?.ocrText ?? null, signals,
    };
    if (g.similar.length) hit.similar = { count: g.similar.length, imageIds: g.similar };
    hits.push(hit);
  }
  return hits;
}
