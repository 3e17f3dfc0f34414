/**
 * The training curve as an inline SVG: validation text→image mean recall per evaluation (solid,
 * left axis, with the model-alone baseline dashed) and the mean training loss (right axis).
 * The numbers are in the table under it; the chart carries a text summary for screen readers.
 */
import { useTranslations } from 'next-intl';

export interface CurvePoint {
  epoch: number;
  step: number;
  loss: number;
  recall: { r1: number; r5: number; r10: number; mean: number };
}

const W = 560;
const H = 240;
const PAD = { left: 44, right: 48, top: 14, bottom: 34 };

export function TrainChart({ points, baseline, epochs }: { points: CurvePoint[]; baseline?: number; epochs: number }) {
  const t = useTranslations('TrainChart');
  const n = Math.max(epochs, points.length, 1);
  const x = (i: number) => PAD.left + (i / n) * (W - PAD.left - PAD.right);
  const recalls = points.map((p) => p.recall.mean).concat(baseline ?? []);
  const lo = Math.max(0, Math.floor(Math.min(...recalls, 100) / 5) * 5 - 5);
  const hi = Math.min(100, Math.ceil(Math.max(...recalls, 0) / 5) * 5 + 5);
  const yR = (v: number) => PAD.top + (1 - (v - lo) / Math.max(1, hi - lo)) * (H - PAD.top - PAD.bottom);
  const maxLoss = Math.max(...points.map((p) => p.loss), 1e-6);
  const yL = (v: number) => PAD.top + (1 - v / maxLoss) * (H - PAD.top - PAD.bottom);
  const path = (f: (p: CurvePoint) => number, y: (v: number) => number) => points.map((p, i) => `${i ? 'L' : 'M'}${x(i + 1).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ');
  const last = points.at(-1);
  const summary = last
    ? t('summary', { count: points.length, recall: last.recall.mean.toFixed(2) }) +
      (baseline !== undefined ? t('baseline', { value: baseline.toFixed(2) }) : '') +
      t('loss', { value: last.loss.toFixed(3) })
    : t('none');
  return (
    <figure className="stack" style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={t('aria', { summary })} data-testid="train-chart" data-points={points.length}>
        {[lo, (lo + hi) / 2, hi].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={yR(v)} y2={yR(v)} stroke="var(--border)" />
            <text x={PAD.left - 6} y={yR(v) + 4} textAnchor="end" fontSize="11" fill="var(--muted)">
              {v.toFixed(0)}%
            </text>
          </g>
        ))}
        <text x={W - PAD.right + 6} y={PAD.top + 8} fontSize="11" fill="var(--muted)">
          {t('lossAxis', { value: maxLoss.toFixed(2) })}
        </text>
        <text x={W - PAD.right + 6} y={H - PAD.bottom} fontSize="11" fill="var(--muted)">
          0
        </text>
        <text x={(W - PAD.right + PAD.left) / 2} y={H - 8} textAnchor="middle" fontSize="11" fill="var(--muted)">
          {t('xAxis', { n })}
        </text>
        {baseline !== undefined ? <line x1={PAD.left} x2={W - PAD.right} y1={yR(baseline)} y2={yR(baseline)} stroke="var(--muted)" strokeDasharray="4 4" /> : null}
        {points.length ? <path d={path((p) => p.recall.mean, yR)} fill="none" stroke="var(--accent)" strokeWidth={2} /> : null}
        {points.length ? <path d={path((p) => p.loss, yL)} fill="none" stroke="var(--danger)" strokeWidth={1.5} strokeDasharray="2 3" /> : null}
        {points.map((p, i) => (
          <circle key={i} cx={x(i + 1)} cy={yR(p.recall.mean)} r={3} fill="var(--accent)" />
        ))}
      </svg>
      <figcaption className="small muted">
        {t('legend')} {summary}.
      </figcaption>
    </figure>
  );
}
