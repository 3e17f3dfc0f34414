import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { parseQuery, queryChips, type QueryChip } from '@/lib/query';
import { searchHref, type SearchQuery } from '@/lib/views/search-query';
import css from './search-extras.module.css';

/**
 * A chip's words in the page's language. lib/query writes its labels in English (the query
 * language's own words: `dataset: x`, `width ≥ 100` stay as typed); the few English words it adds
 * are put into the page's language here.
 */
function chipLabel(c: QueryChip, t: ReturnType<typeof useTranslations<'QueryChips'>>): string {
  if (c.kind === 'exclude' && c.label.startsWith('not ')) return t('not', { text: c.label.slice(4) });
  if (c.kind === 'sort') return c.label === 'newest first' ? t('newest') : t('relevance');
  if (c.kind === 'filter' && c.label === 'has text in image') return t('hasText');
  return c.label;
}

/** The parsed text query as chips; removing one searches again without it (a new URL). */
export function QueryChips({ query }: { query: SearchQuery }) {
  const t = useTranslations('QueryChips');
  const chips = query.q.trim() ? queryChips(parseQuery(query.q)) : [];
  if (!chips.length) return null;
  return (
    <ul className={css.chips} aria-label={t('label')} data-testid="query-chips">
      {chips.map((c, i) => {
        const label = chipLabel(c, t);
        return (
          <li key={`${i}-${c.label}`} className={css.chip} data-kind={c.kind} title={t(c.kind)} data-testid="query-chip">
            <span>{label}</span>
            <Link href={searchHref({ ...query, q: c.without })} className={css.chipRemove} aria-label={t('remove', { label })} data-testid="chip-remove">
              ×
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
