'use server';
import { revalidatePath } from 'next/cache';
import { adminAction } from '@/app/_lib/result';
import { startUploadIngest } from '@/app/_lib/upload';

/**
 * The upload form's server action: start the ingest of files already streamed to
 * /api/uploads. The form sends their staged ids in `file` and `texts`, never the bytes (server
 * action bodies are limited to 1 MB, next.config.js).
 */
export const uploadDatasetAction = adminAction(async (form, engine) => {
  const job = await startUploadIngest(engine, {
    dataset: form.get('dataset'),
    format: form.get('format'),
    file: form.get('file'),
    texts: form.get('texts'),
    ocr: form.get('ocr'), // issue 11: the form always sends 1 or 0 (the checkbox)
  });
  revalidatePath('/datasets');
  return { job };
});
