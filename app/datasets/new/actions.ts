'use server';
import { revalidatePath } from 'next/cache';
import { assertAdminAction } from '@/app/_lib/session';
import { actionError, type ActionResult } from '@/app/_lib/result';
import { startUploadIngest } from '@/app/_lib/upload';
import type { JobView } from '@/components/jobs/types';

/** The upload form's server action: store the upload and start its ingest job (see app/_lib/upload). */
export async function uploadDatasetAction(_prev: unknown, form: FormData): Promise<ActionResult<{ job: JobView }>> {
  try {
    await assertAdminAction();
    const job = await startUploadIngest(form);
    revalidatePath('/datasets');
    return { ok: true, data: { job } };
  } catch (err) {
    return actionError(err);
  }
}
