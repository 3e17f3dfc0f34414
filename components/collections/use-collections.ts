'use client';
import { useCallback, useSyncExternalStore } from 'react';
import { changeCollections, COLLECTIONS_KEY, EMPTY_COLLECTIONS, parseCollections, type CollectionsChange, type CollectionsState } from '@/lib/views/collections';

/**
 * The collections in localStorage, shared by every component and tab: a change is written at once
 * and announced to this tab's subscribers (the `storage` event covers the other tabs). The server
 * render sees no collections; the browser fills them in after hydration.
 */
const listeners = new Set<() => void>();
let cache: { raw: string | null; state: CollectionsState } = { raw: null, state: EMPTY_COLLECTIONS };

function read(): CollectionsState {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(COLLECTIONS_KEY);
  } catch {
    /* storage disabled: behave as empty */
  }
  if (raw !== cache.raw) cache = { raw, state: parseCollections(raw) };
  return cache.state;
}

function subscribe(fn: () => void) {
  listeners.add(fn);
  const onStorage = (e: StorageEvent) => {
    if (e.key === COLLECTIONS_KEY) fn();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('storage', onStorage);
  };
}

export function useCollections(): [CollectionsState, (c: CollectionsChange) => void] {
  const state = useSyncExternalStore(subscribe, read, () => EMPTY_COLLECTIONS);
  const change = useCallback((c: CollectionsChange) => {
    const next = changeCollections(read(), c);
    try {
      window.localStorage.setItem(COLLECTIONS_KEY, JSON.stringify(next));
    } catch {
      /* full or disabled storage: the change lasts for this page only */
      cache = { raw: cache.raw, state: next };
    }
    listeners.forEach((l) => l());
  }, []);
  return [state, change];
}
