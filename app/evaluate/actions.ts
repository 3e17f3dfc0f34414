'use server';
import { AppError } from '@/lib/errors';
import { parseProtocol, startEvaluateJob, type EvaluateJobParams } from '@/lib/eval';
import { claimStagedUpload, dropRefusedUploads, type ClaimedUpload } from '@/lib/staged-uploads';
import { loadJobView } from '@/app/_lib/jobs';
import { adminAction } from '@/app/_lib/result';

/**
 * Start an 'evaluate' job on a dataset or on an uploaded validation file (deleted when the job
 * ends). The form streams the file to /api/uploads first and sends its staged id in `file`
 * (and `texts` for the MUGE layout).
 */
export const startEvaluation = adminAction(async (form, engine) => {
  const claimed: ClaimedUpload[] = [];
  try {
    let params: EvaluateJobParams;
    if (form.get('source') === 'dataset') {
      const dataset = form.get('dataset');
      if (typeof dataset !== 'string' || !dataset.trim()) throw new AppError('INVALID_INPUT', 'choose a dataset to evaluate');
      params = { dataset: dataset.trim() };
    } else {
      const fileId = form.get('file');
      if (!fileId) throw new AppError('INVALID_INPUT', 'choose a validation file to upload');
      const main = await claimStagedUpload(engine.config.dataDir, fileId, 'validation file');
      claimed.push(main);
      const textsId = form.get('texts');
      const texts = textsId ? await claimStagedUpload(engine.config.dataDir, textsId, 'texts file') : undefined;
      if (texts) claimed.push(texts);
      const protocol = parseProtocol(form.get('protocol') ?? undefined);
      params = { path: main.path, texts: texts?.path, label: main.name, removeFiles: true, protocol };
    }
    const started = await startEvaluateJob(engine, params);
    return { job: await loadJobView(engine, started.id, false) };
  } catch (err) {
    // Staged ids not claimed (a refusal before their claim) would otherwise wait for the sweep.
    await dropRefusedUploads(engine.config.dataDir, claimed.map((c) => c.path), [form.get('file'), form.get('texts')]);
    throw err;
  }
});
