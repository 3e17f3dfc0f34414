import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { CollectionsView } from '@/components/collections/collections-view';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('Collections'))('title') };
}

/** The collections kept in this browser (localStorage): nothing to load on the server. */
export default async function CollectionsPage() {
  const t = await getTranslations('Collections');
  return (
    <div className="stack">
      <h1>{t('title')}</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        {t('intro')}
      </p>
      <CollectionsView />
    </div>
  );
}
