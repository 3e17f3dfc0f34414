import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { getConfig } from '@/lib/config';
import { formatBytes } from '@/lib/uploads';
import { UploadForm } from '@/components/datasets/upload-form';
import { getAdminSession } from '@/app/_lib/session';
import { uploadDatasetAction } from './actions';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('UploadPage'))('title') };
}

const FORMATS = ['pairs', 'images', 'texts', 'muge'] as const;

export default async function UploadPage() {
  const config = getConfig();
  const session = await getAdminSession();
  const t = await getTranslations('UploadPage');
  return (
    <div className="stack" style={{ maxWidth: 880 }}>
      <h1>{t('title')}</h1>
      {session.admin ? (
        <UploadForm
          action={uploadDatasetAction}
          maxUploadBytes={config.maxUploadBytes}
          maxUploadLabel={formatBytes(config.maxUploadBytes)}
          formats={FORMATS.map((value) => ({ value, label: t(value) }))}
          ocrDefault={config.ocr.enabled}
        />
      ) : (
        <p className="alert info">{t.rich('needsAdmin', { link: (c) => <Link href="/signin?next=/datasets/new">{c}</Link> })}</p>
      )}
    </div>
  );
}
