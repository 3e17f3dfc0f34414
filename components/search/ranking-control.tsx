'use client';
import { useTranslations } from 'next-intl';
import { RANKINGS, type SearchRanking } from '@/lib/views/search-query';
import css from './search-extras.module.css';

interface Props {
  ranking: SearchRanking;
  collapse: boolean;
  /** Caption results are ranked by meaning only. */
  disabled: boolean;
  onRanking: (r: SearchRanking) => void;
  onCollapse: (c: boolean) => void;
}

/** How image results are ranked (hybrid / meaning / words) and whether near-duplicates are grouped. */
export function RankingControl({ ranking, collapse, disabled, onRanking, onCollapse }: Props) {
  const t = useTranslations('Ranking');
  return (
    <div className="row">
      <fieldset className={css.ranking} aria-label={t('label')} disabled={disabled} data-testid="ranking">
        <span className="muted">{t('rankBy')}</span>
        {RANKINGS.map((r) => (
          <label key={r.value} title={t(`${r.value}Title`)}>
            <input type="radio" name="ranking" value={r.value} checked={ranking === r.value} onChange={() => onRanking(r.value)} /> {t(r.value)}
          </label>
        ))}
      </fieldset>
      <label title={t('collapseTitle')} className="small">
        <input type="checkbox" checked={collapse} onChange={(e) => onCollapse(e.target.checked)} disabled={disabled} data-testid="collapse-toggle" /> {t('collapse')}
      </label>
    </div>
  );
}
