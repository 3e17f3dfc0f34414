'use server';
import { revalidatePath } from 'next/cache';
import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { activateAdapter, checkAdapterName, deactivateAdapter, deleteAdapter } from '@/lib/adapters';
import { startTrainJob, type TrainJobParams } from '@/lib/train';
import { removeUploads, saveUpload } from '@/lib/uploads';
import { loadJobView } from '@/app/_lib/jobs';
import { actionError, type ActionResult } from '@/app/_lib/result';
import { assertAdminAction } from '@/app/_lib/session';
import type { JobView } from '@/components/jobs/types';

const nonEmptyFile = (v: FormDataEntryValue | null): v is File => typeof v === 'object' && v !== null && v.size > 0;

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

/** Start a 'train' job from uploaded pairs or ingested datasets; uploads are deleted when it ends. */
export async function startTraining(_prev: unknown, form: FormData): Promise<ActionResult<{ job: JobView }>> {
  const saved: string[] = [];
  try {
    await assertAdminAction();
    const engine = await getEngine();
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
    const opts = { dataDir: engine.config.dataDir, maxBytes: engine.config.maxUploadBytes };
    for (const role of ['train', 'valid'] as const) {
      const source = form.get(`${role}Source`);
      if (source === 'dataset') {
        const ds = String(form.get(`${role}Dataset`) ?? '').trim();
        if (!ds) throw new AppError('INVALID_INPUT', `choose a ${role === 'train' ? 'training' : 'validation'} dataset`);
        params[role === 'train' ? 'trainDataset' : 'validDataset'] = ds;
      } else if (source === 'file') {
        const file = form.get(`${role}File`);
        if (!nonEmptyFile(file)) throw new AppError('INVALID_INPUT', `choose a ${role === 'train' ? 'training' : 'validation'} pairs file to upload`);
        const up = await saveUpload(file, { ...opts, label: `${role} file` });
        saved.push(up.path);
        if (role === 'train') Object.assign(params, { trainPath: up.path, trainLabel: file.name || up.originalName });
        else Object.assign(params, { validPath: up.path, validLabel: file.name || up.originalName });
      } else if (role === 'train' || source !== 'holdout') {
        throw new AppError('INVALID_INPUT', `choose where the ${role === 'train' ? 'training' : 'validation'} pairs come from`);
      }
    }
    const started = await startTrainJob(engine, params);
    return { ok: true, data: { job: await loadJobView(engine, started.id, false) } };
  } catch (err) {
    await removeUploads(saved);
    return actionError(err);
  }
}

/** Activate (re-projecting the stored vectors into the adapter's indexes), deactivate or delete. */
export async function manageAdapter(_prev: unknown, form: FormData): Promise<ActionResult<{ message: string }>> {
  try {
    await assertAdminAction();
    const engine = await getEngine();
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
    return { ok: true, data: { message } };
  } catch (err) {
    return actionError(err);
  }
}
