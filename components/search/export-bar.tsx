'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import { exportFileName, rowsOfHits, toCsv, toJson } from '@/lib/views/export';
import { toSearchParams, type SearchQuery } from '@/lib/views/search-query';
import type { HitView } from '@/lib/views/search-view';

/** Save a string as a file through a temporary object URL (works offline, no server round trip). */
export function download(name: string, type: string, body: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Download the results on the page (every page loaded so far) as CSV or JSON, and copy the share link. */
export function ExportBar({ query, hits }: { query: SearchQuery; hits: HitView[] }) {
  const t = useTranslations('Export');
  const [copied, setCopied] = useState<string | null>(null);
  const what = query.q || (query.like !== undefined ? `like-${String(query.like)}` : 'image');

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopied(t('copied'));
    } catch {
      setCopied(t('copyFailed'));
    }
  }

  const meta = () => ({ query: Object.fromEntries(toSearchParams(query)), exportedAt: new Date().toISOString(), url: window.location.href });
  return (
    <div className="export-bar row" role="group" aria-label={t('label')}>
      <button type="button" className="btn small" data-testid="export-csv" onClick={() => download(exportFileName(what, 'csv'), 'text/csv;charset=utf-8', toCsv(rowsOfHits(hits, window.location.origin)))}>
        {t('csv')}
      </button>
      <button
        type="button"
        className="btn small"
        data-testid="export-json"
        onClick={() => download(exportFileName(what, 'json'), 'application/json', toJson(meta(), rowsOfHits(hits, window.location.origin)))}
      >
        {t('json')}
      </button>
      <button type="button" className="btn small" data-testid="copy-link" onClick={copyLink}>
        {t('copyLink')}
      </button>
      <span className="small muted" role="status" aria-live="polite">
        {copied}
      </span>
    </div>
  );
}
