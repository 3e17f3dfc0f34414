import type { Metadata } from 'next';
import Link from 'next/link';
import { getConfig } from '@/lib/config';
import { formatBytes } from '@/lib/uploads';
import { UploadForm } from '@/components/datasets/upload-form';
import { getAdminSession } from '@/app/_lib/session';
import { uploadDatasetAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload a dataset' };

const FORMATS = [
  { value: 'pairs', label: 'EasyNLP pairs (text ⇥ base64 image)' },
  { value: 'images', label: 'Images only (one base64 image a line)' },
  { value: 'texts', label: 'Texts only (one caption a line)' },
  { value: 'muge', label: 'Chinese-CLIP / MUGE (id ⇥ base64 + texts JSONL)' },
];

export default async function UploadPage() {
  const config = getConfig();
  const session = await getAdminSession();
  return (
    <div className="stack" style={{ maxWidth: 880 }}>
      <h1>Upload a dataset</h1>
      {session.admin ? (
        <UploadForm
          action={uploadDatasetAction}
          maxUploadBytes={config.maxUploadBytes}
          maxUploadLabel={formatBytes(config.maxUploadBytes)}
          formats={FORMATS}
        />
      ) : (
        <p className="alert info">
          Uploading needs the admin token. <Link href="/signin?next=/datasets/new">Sign in</Link> first.
        </p>
      )}
    </div>
  );
}
