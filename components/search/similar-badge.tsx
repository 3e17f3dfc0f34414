import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { searchHref, type SearchQuery } from '@/lib/views/search-query';
import css from './search-extras.module.css';

/** "+N similar" on a card that stands for a group of near-duplicates: opens the search ungrouped. */
export function SimilarBadge({ count, query }: { count: number; query?: SearchQuery }) {
  const t = useTranslations('Similar');
  const label = t('label', { count });
  if (!query) return <span className={css.similar}>{label}</span>;
  return (
    <Link href={searchHref({ ...query, collapse: false })} className={css.similar} title={t('title')} data-testid="similar-badge">
      {label}
    </Link>
  );
}
