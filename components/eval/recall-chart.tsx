import { useTranslations } from 'next-intl';
import type { CurvePoint } from './types';

interface Series {
  name: string;
  points: { k: number; v: number }[];
  color: string;
  dashed?: boolean;
}

const W = 520;
const H = 260;
const PAD = { left: 44, right: 16, top: 16, bottom: 40 };

/**
 * R@K for both directions as an inline SVG line chart (exact search solid, HNSW dashed), K on a
 * log scale. The numbers are in the table beside it; the chart carries a text summary for screen
 * readers.
 */
export function RecallChart({ curve, annCurve, title: titleProp }: { curve: CurvePoint[]; annCurve?: CurvePoint[]; title?: string }) {
  const t = useTranslations('Evaluation');
  const title = titleProp ?? t('chartDefault');
  // image→text is null where the protocol has none (easynlp): no line for it
  const i2t = (c: CurvePoint[]) => c.flatMap((p) => (p.image_to_text === null ? [] : [{ k: p.k, v: p.image_to_text }]));
  const series: Series[] = [{ name: t('t2i'), color: 'var(--accent)', points: curve.map((p) => ({ k: p.k, v: p.text_to_image })) }];
  if (i2t(curve).length) series.push({ name: t('i2t'), color: 'var(--danger)', points: i2t(curve) });
  if (annCurve?.length) {
    series.push({ name: t('t2iAnn'), color: 'var(--accent)', dashed: true, points: annCurve.map((p) => ({ k: p.k, v: p.text_to_image })) });
    if (i2t(annCurve).length) series.push({ name: t('i2tAnn'), color: 'var(--danger)', dashed: true, points: i2t(annCurve) });
  }
  const ks = curve.map((p) => p.k);
  const kMax = Math.max(...ks, 2);
  const x = (k: number) => PAD.left + (Math.log(k) / Math.log(kMax)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / 100) * (H - PAD.top - PAD.bottom);
  const summary = series
    .filter((s) => !s.dashed)
    .map((s) => `${s.name}: ${s.points.map((p) => `R@${p.k} ${p.v.toFixed(1)}%`).join(', ')}`)
    .join('. ');
  const titleId = `chart-${title.replace(/\W+/g, '-')}`;
  return (
    <figure className="stack" style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-labelledby={titleId} data-testid="recall-chart">
        <title id={titleId}>{`${title}. ${summary}.`}</title>
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="var(--border)" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" fontSize="11" fill="var(--muted)">
              {v}%
            </text>
          </g>
        ))}
        {ks.map((k) => (
          <text key={k} x={x(k)} y={H - PAD.bottom + 16} textAnchor="middle" fontSize="11" fill="var(--muted)">
            {k}
          </text>
        ))}
        <text x={(PAD.left + W - PAD.right) / 2} y={H - 6} textAnchor="middle" fontSize="11" fill="var(--muted)">
          K
        </text>
        {series.map((s) => (
          <g key={s.name} data-series={s.name}>
            <polyline
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
              points={s.points.map((p) => `${x(p.k).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
            />
            {s.dashed
              ? null
              : s.points.map((p) => <circle key={p.k} cx={x(p.k)} cy={y(p.v)} r={3} fill={s.color} />)}
          </g>
        ))}
      </svg>
      <figcaption className="row small" aria-hidden="true">
        {series.map((s) => (
          <span key={s.name} className="row" style={{ gap: '0.35rem' }}>
            <svg width="22" height="8" aria-hidden="true">
              <line x1="0" x2="22" y1="4" y2="4" stroke={s.color} strokeWidth="2" strokeDasharray={s.dashed ? '5 4' : undefined} />
            </svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
