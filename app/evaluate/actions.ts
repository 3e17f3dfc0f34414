'use server';
import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { parseProtocol, startEvaluateJob, type EvaluateJobParams } from '@/lib/eval';
import { removeUploads, saveUpload } from '@/lib/uploads';
import { loadJobView } from '@/app/_lib/jobs';
import { actionError, type ActionResult } from '@/app/_lib/result';
import { assertAdminAction } from '@/app/_lib/session';
import type { JobView } from '@/components/jobs/types';

const nonEmptyFile = (v: FormDataEntryValue | null): v is File => typeof v === 'object' && v !== null && v.size > 0;

/** Start an 'evaluate' job on a dataset or on an uploaded validation file (deleted when the job ends). */
export async function startEvaluation(_prev: unknown, form: FormData): Promise<ActionResult<{ job: JobView }>> {
  const saved: string[] = [];
  try {
    await assertAdminAction();
    const engine = await getEngine();
    const source = form.get('source');
    let params: EvaluateJobParams;
    if (source === 'dataset') {
      const dataset = form.get('dataset');
      if (typeof dataset !== 'string' || !dataset.trim()) throw new AppError('INVALID_INPUT', 'choose a dataset to evaluate');
      params = { dataset: dataset.trim() };
    } else {
      const file = form.get('file');
      if (!nonEmptyFile(file)) throw new AppError('INVALID_INPUT', 'choose a validation file to upload');
      const opts = { dataDir: engine.config.dataDir, maxBytes: engine.config.maxUploadBytes };
      const main = await saveUpload(file, { ...opts, label: 'validation file' });
      saved.push(main.path);
      const textsFile = form.get('texts');
      const texts = nonEmptyFile(textsFile) ? await saveUpload(textsFile, { ...opts, label: 'texts file' }) : undefined;
      if (texts) saved.push(texts.path);
      const protocol = parseProtocol(form.get('protocol') ?? undefined);
      params = { path: main.path, texts: texts?.path, label: file.name || main.originalName, removeFiles: true, protocol };
    }
    const started = await startEvaluateJob(engine, params);
    return { ok: true, data: { job: await loadJobView(engine, started.id, false) } };
  } catch (err) {
    await removeUploads(saved);
    return actionError(err);
  }
}
