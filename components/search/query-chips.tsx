import Link from 'next/link';
import { parseQuery, queryChips } from '@/lib/query';
import { searchHref, type SearchQuery } from '@/lib/views/search-query';
import css from './search-extras.module.css';

const KIND_TITLE = { word: 'Word', phrase: 'Exact phrase: must appear', exclude: 'Left out', filter: 'Filter', sort: 'Order' } as const;

/** The parsed text query as chips; removing one searches again without it (a new URL). */
export function QueryChips({ query }: { query: SearchQuery }) {
  const chips = query.q.trim() ? queryChips(parseQuery(query.q)) : [];
  if (!chips.length) return null;
  return (
    <ul className={css.chips} aria-label="Parsed query" data-testid="query-chips">
      {chips.map((c, i) => (
        <li key={`${i}-${c.label}`} className={css.chip} data-kind={c.kind} title={KIND_TITLE[c.kind]} data-testid="query-chip">
          <span>{c.label}</span>
          <Link href={searchHref({ ...query, q: c.without })} className={css.chipRemove} aria-label={`Remove ${c.label}`} data-testid="chip-remove">
            ×
          </Link>
        </li>
      ))}
    </ul>
  );
}
