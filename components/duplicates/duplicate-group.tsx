import Link from 'next/link';
import type { ReactNode } from 'react';
import { useFormatter, useTranslations } from 'next-intl';

export interface DuplicateGroupView {
  groupId: number;
  similarity: number;
  images: { imageId: number; sha256: string; captions: string[]; dataset: string; width: number; height: number; format: string; bytes: number }[];
}

/**
 * One near-duplicate group: its images side by side, the one with the most pixels first (marked
 * "keep": the suggestion, not a rule). `deleteButton` renders the admin's delete control (or a
 * sign-in link) for an image.
 */
export function DuplicateGroup({ group, deleteButton }: { group: DuplicateGroupView; deleteButton: (imageId: number, label: string) => ReactNode }) {
  const t = useTranslations('DuplicateGroup');
  const format = useFormatter();
  const size = (n: number) =>
    n >= 1024 * 1024 ? t('mb', { n: format.number(n / 1048576, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) }) : t('kb', { n: format.number(Math.max(1, Math.round(n / 1024))) });
  return (
    <section className="panel stack" data-testid="duplicate-group" data-group-id={group.groupId} aria-labelledby={`group-${group.groupId}`}>
      <h2 id={`group-${group.groupId}`} style={{ margin: 0, fontSize: '1.05rem' }}>
        {t.rich('heading', {
          count: group.images.length,
          similarity: group.similarity.toFixed(3),
          sim: (chunks) => <span data-testid="group-similarity">{chunks}</span>,
        })}
      </h2>
      <ol className="grid">
        {group.images.map((im, i) => {
          const caption = im.captions[0] ?? '';
          const label = caption || t('imageN', { id: im.imageId });
          return (
            <li key={im.imageId} className="card" data-testid="duplicate-image" data-image-id={im.imageId}>
              <Link href={`/images/${im.imageId}`} className="thumb-box" aria-label={t('imageLabel', { id: im.imageId, label })}>
                {/* eslint-disable-next-line @next/next/no-img-element */}
                <img src={`/api/thumbs/${im.sha256}`} alt={caption} loading="lazy" decoding="async" width={im.width} height={im.height} />
                {i === 0 ? (
                  <span className="score" title={t('keepTitle')}>
                    {t('keep')}
                  </span>
                ) : null}
              </Link>
              <div className="body">
                <p className="caption" title={im.captions.join('\n')}>
                  {caption || <span className="muted">{t('noCaption')}</span>}
                </p>
                <div className="meta">
                  <span title={t('metaTitle', { dataset: im.dataset, format: im.format, bytes: format.number(im.bytes) })}>
                    {im.width}×{im.height} {im.format} · {size(im.bytes)} · {im.dataset}
                  </span>
                </div>
                <div className="row" style={{ justifyContent: 'flex-end' }}>
                  {deleteButton(im.imageId, label)}
                </div>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
