/**
 * Collections (issue 14): named sets of images kept from any search, stored in the browser
 * (localStorage; nothing on the server, so keeping images needs no sign-in and no migration).
 * This is the pure state and its changes; components/collections/use-collections.ts keeps it in
 * localStorage and shares it between tabs. A collection is also a query: /?like=<its ids>.
 */
export const COLLECTIONS_KEY = 'clipdex-collections';
/** Images one `like=` search takes (lib/views/search-params.ts MAX_LIKE_IDS). */
export const MAX_QUERY_IMAGES = 50;
export const MAX_NAME_CHARS = 60;

export interface CollectionItem {
  imageId: number;
  caption: string;
  dataset: string;
  thumbUrl: string;
  imageUrl: string;
  width: number;
  height: number;
}

export interface Collection {
  name: string;
  items: CollectionItem[];
}

export interface CollectionsState {
  /** The collection "Keep" adds to. */
  current: string | null;
  collections: Collection[];
}

export const EMPTY_COLLECTIONS: CollectionsState = { current: null, collections: [] };

const isItem = (x: unknown): x is CollectionItem => {
  const i = x as CollectionItem;
  return !!i && Number.isSafeInteger(i.imageId) && i.imageId > 0 && typeof i.thumbUrl === 'string' && typeof i.imageUrl === 'string';
};

/** Whatever localStorage held → a valid state (a damaged or foreign value is dropped, not thrown). */
export function parseCollections(raw: string | null): CollectionsState {
  if (!raw) return EMPTY_COLLECTIONS;
  try {
    const v = JSON.parse(raw) as CollectionsState;
    const collections = (Array.isArray(v.collections) ? v.collections : [])
      .filter((c) => c && typeof c.name === 'string' && c.name.trim())
      .map((c) => ({ name: c.name.slice(0, MAX_NAME_CHARS), items: (Array.isArray(c.items) ? c.items : []).filter(isItem) }));
    const current = collections.some((c) => c.name === v.current) ? v.current : (collections[0]?.name ?? null);
    return { current, collections };
  } catch {
    return EMPTY_COLLECTIONS;
  }
}

export type CollectionsChange =
  | { op: 'create'; name: string }
  | { op: 'select'; name: string }
  | { op: 'toggle'; item: CollectionItem; defaultName: string }
  | { op: 'remove'; name: string; imageId: number }
  | { op: 'delete'; name: string };

/** One change; a refused one (empty or taken name) returns the state unchanged. */
export function changeCollections(s: CollectionsState, c: CollectionsChange): CollectionsState {
  switch (c.op) {
    case 'create': {
      const name = c.name.trim().slice(0, MAX_NAME_CHARS);
      if (!name || s.collections.some((x) => x.name === name)) return s;
      return { current: name, collections: [...s.collections, { name, items: [] }] };
    }
    case 'select':
      return s.collections.some((x) => x.name === c.name) ? { ...s, current: c.name } : s;
    case 'toggle': {
      // No collection yet: "Keep" makes one, so the first click is never lost.
      const base = s.current ? s : changeCollections(s, { op: 'create', name: c.defaultName });
      return {
        ...base,
        collections: base.collections.map((x) =>
          x.name !== base.current
            ? x
            : x.items.some((i) => i.imageId === c.item.imageId)
              ? { ...x, items: x.items.filter((i) => i.imageId !== c.item.imageId) }
              : { ...x, items: [...x.items, c.item] },
        ),
      };
    }
    case 'remove':
      return { ...s, collections: s.collections.map((x) => (x.name === c.name ? { ...x, items: x.items.filter((i) => i.imageId !== c.imageId) } : x)) };
    case 'delete': {
      const collections = s.collections.filter((x) => x.name !== c.name);
      return { current: s.current === c.name ? (collections[0]?.name ?? null) : s.current, collections };
    }
  }
}

export const inCurrent = (s: CollectionsState, imageId: number): boolean =>
  !!s.collections.find((x) => x.name === s.current)?.items.some((i) => i.imageId === imageId);

/** The search URL of a collection: the mean of its first MAX_QUERY_IMAGES images' vectors. */
export function collectionSearchHref(c: Collection): string | null {
  const ids = c.items.slice(0, MAX_QUERY_IMAGES).map((i) => i.imageId);
  return ids.length ? `/?like=${ids.join(',')}` : null;
}
