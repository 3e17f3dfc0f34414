'use client';
import { useTranslations } from 'next-intl';
import { inCurrent } from '@/lib/views/collections';
import type { ImageHitView } from '@/lib/views/search-view';
import { useCollections } from './use-collections';

/** "Keep" on a result: adds the image to (or takes it out of) the current collection; a toggle button (aria-pressed). */
export function KeepButton({ hit }: { hit: ImageHitView }) {
  const t = useTranslations('Collections');
  const [state, change] = useCollections();
  const kept = inCurrent(state, hit.imageId);
  const name = state.current ?? t('defaultName');
  return (
    <button
      type="button"
      className={`btn small keep${kept ? ' kept' : ''}`}
      aria-pressed={kept}
      // One name for both states (the state is aria-pressed), and it contains the visible word.
      aria-label={t('addTo', { id: hit.imageId, name })}
      data-testid="keep"
      onClick={() =>
        change({
          op: 'toggle',
          defaultName: t('defaultName'),
          item: {
            imageId: hit.imageId,
            caption: hit.captions[0] ?? '',
            dataset: hit.dataset,
            thumbUrl: hit.thumbUrl,
            imageUrl: hit.imageUrl,
            width: hit.width,
            height: hit.height,
          },
        })
      }
    >
      <span aria-hidden="true">{kept ? '★' : '☆'}</span> {t('add')}
    </button>
  );
}
