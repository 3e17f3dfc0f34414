'use client';
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
  return (
    <div className="row">
      <fieldset className={css.ranking} aria-label="Rank images by" disabled={disabled} data-testid="ranking">
        <span className="muted">Rank by</span>
        {RANKINGS.map((r) => (
          <label key={r.value} title={r.title}>
            <input type="radio" name="ranking" value={r.value} checked={ranking === r.value} onChange={() => onRanking(r.value)} /> {r.label}
          </label>
        ))}
      </fieldset>
      <label title="Show one result per group of near-duplicate images" className="small">
        <input type="checkbox" checked={collapse} onChange={(e) => onCollapse(e.target.checked)} disabled={disabled} data-testid="collapse-toggle" /> Group near-duplicates
      </label>
    </div>
  );
}
