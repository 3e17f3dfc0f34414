'use server';
import { revalidatePath } from 'next/cache';
import { AppError } from '@/lib/errors';
import { activateAdapter, checkAdapterName, deactivateAdapter, deleteAdapter } from '@/lib/adapters';
import { startTrainJob, type TrainJobParams } from '@/lib/train';
import { claimStagedUpload, dropRefusedUploads, type ClaimedUpload } from '@/lib/staged-uploads';
import { loadJobView } from '@/app/_lib/jobs';
import { adminAction } from '@/app/_lib/result';

function num(form: FormData, key: string, min: number, max: number, integer: boolean): number {
  const raw = form.get(key);
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new AppError('INVALID_INPUT', `${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw ?? ''}"`);
  }
  return n;
}

function towersOf(v: FormDataEntryValue | null): 'both' | 'image' | 'text' {
  if (v === null || v === 'both' || v === 'image' || v === 'text') return v ?? 'both';
  throw new AppError('INVALID_INPUT', `towers must be both, image or text, got "${String(v)}"`);
}

/**
 * Start a 'train' job from uploaded pairs or ingested datasets; uploads are deleted when it ends.
 * The form streams each pairs file to /api/uploads first and sends its staged id in
 * `trainFile` / `validFile`.
 */
export const startTraining = adminAction(async (form, engine) => {
  const claimed: ClaimedUpload[] = [];
  try {
    const name = checkAdapterName(String(form.get('name') ?? '').trim());
    const params: TrainJobParams = {
      name,
      epochs: num(form, 'epochs', 1, 200, true),
      lr: num(form, 'lr', 1e-6, 1, false),
      batchSize: num(form, 'batchSize', 2, 1024, true),
      towers: towersOf(form.get('towers')),
      hidden: num(form, 'hidden', 0, 4096, true),
      replace: form.get('replace') === 'on',
      removeFiles: true,
    };
    for (const role of ['train', 'valid'] as const) {
      const what = role === 'train' ? 'training' : 'validation';
      const source = form.get(`${role}Source`);
      if (source === 'dataset') {
        const ds = String(form.get(`${role}Dataset`) ?? '').trim();
        if (!ds) throw new AppError('INVALID_INPUT', `choose a ${what} dataset`);
        params[role === 'train' ? 'trainDataset' : 'validDataset'] = ds;
      } else if (source === 'file') {
        const fileId = form.get(`${role}File`);
        if (!fileId) throw new AppError('INVALID_INPUT', `choose a ${what} pairs file to upload`);
        const up = await claimStagedUpload(engine.config.dataDir, fileId, `${what} file`);
        claimed.push(up);
        if (role === 'train') Object.assign(params, { trainPath: up.path, trainLabel: up.name });
        else Object.assign(params, { validPath: up.path, validLabel: up.name });
      } else if (role === 'train' || source !== 'holdout') {
        throw new AppError('INVALID_INPUT', `choose where the ${what} pairs come from`);
      }
    }
    const started = await startTrainJob(engine, params);
    return { job: await loadJobView(engine, started.id, false) };
  } catch (err) {
    // Staged ids not claimed (a refusal before their claim, say a bad epoch count) would otherwise wait for the sweep.
    await dropRefusedUploads(engine.config.dataDir, claimed.map((c) => c.path), [form.get('trainFile'), form.get('validFile')]);
    throw err;
  }
});

/** Activate (re-projecting the stored vectors into the adapter's indexes), deactivate or delete. */
export const manageAdapter = adminAction(async (form, engine) => {
  const op = form.get('op');
  const name = String(form.get('name') ?? '');
  let message: string;
  if (op === 'activate') {
    const reports = await activateAdapter(engine, name);
    message = `adapter “${name}” is active (${reports.map((r) => `${r.count} ${r.kind} vectors ${r.action}`).join(', ')})`;
  } else if (op === 'deactivate') {
    const was = await deactivateAdapter(engine.config.dataDir);
    message = was ? `adapter “${was}” deactivated: searches use the model alone` : 'no adapter was active';
  } else if (op === 'delete') {
    const { wasActive } = await deleteAdapter(engine.config.dataDir, name);
    message = `adapter “${name}” deleted${wasActive ? ' (it was active)' : ''}`;
  } else throw new AppError('INVALID_INPUT', `unknown operation "${String(op)}"`);
  revalidatePath('/train');
  revalidatePath('/');
  return { message };
});
