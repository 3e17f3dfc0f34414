import { AppError } from '@/lib/errors';
import { listEvaluations, parseProtocol, startEvaluateJob, type EvaluateJobParams } from '@/lib/eval';
import { removeUploads, saveUpload } from '@/lib/uploads';
import { loadJobView } from '@/app/_lib/jobs';
import { parseInput } from '@/lib/views/parse';
import { json, route } from '@/app/api/_lib/http';
import { evaluateJsonSchema } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/** GET /api/evaluate → { runs: [{ jobId, status, createdAt, finishedAt, message, result }] }, newest first. */
export const GET = route({}, async ({ engine }) => json({ runs: await listEvaluations(engine, 50) }));

/**
 * POST /api/evaluate: JSON `{ "dataset": "name" }`, or multipart/form-data with `file` (a
 * validation file), optional `texts` (MUGE JSONL) and optional `protocol` (clipdex | easynlp |
 * chinese-clip; a dataset takes clipdex only) → 202 { job } (follow it at /api/jobs/:id
 * and /api/jobs/:id/events; the recall table is the job's result). Needs the admin token.
 */
export const POST = route({ admin: true }, async ({ req, engine }) => {
  const saved: string[] = [];
  let params: EvaluateJobParams;
  try {
    if ((req.headers.get('content-type') ?? '').includes('application/json')) {
      const body: unknown = await req.json().catch(() => null);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('INVALID_INPUT', 'send {"dataset": "name"} or a multipart form with a "file"');
      const input = parseInput(evaluateJsonSchema, body as Record<string, unknown>, 'field');
      params = { dataset: input.dataset, protocol: parseProtocol(input.protocol) };
    } else {
      const form = await req.formData().catch(() => {
        throw new AppError('INVALID_INPUT', 'send {"dataset": "name"} or a multipart form with a "file"');
      });
      const dataset = form.get('dataset');
      const file = form.get('file');
      const protocol = parseProtocol(form.get('protocol') ?? undefined);
      if (typeof dataset === 'string' && dataset.trim()) params = { dataset: dataset.trim(), protocol };
      else if (file instanceof Blob) {
        const opts = { dataDir: engine.config.dataDir, maxBytes: engine.config.maxUploadBytes };
        const main = await saveUpload(file, { ...opts, label: 'validation file' });
        saved.push(main.path);
        const textsFile = form.get('texts');
        const texts = textsFile instanceof Blob && textsFile.size > 0 ? await saveUpload(textsFile, { ...opts, label: 'texts file' }) : undefined;
        if (texts) saved.push(texts.path);
        params = { path: main.path, texts: texts?.path, label: (file as File).name || main.originalName, removeFiles: true, protocol };
      } else throw new AppError('INVALID_INPUT', 'the form needs a "dataset" name or a "file"');
    }
    const started = await startEvaluateJob(engine, params);
    return json({ job: await loadJobView(engine, started.id, false) }, { status: 202 });
  } catch (err) {
    await removeUploads(saved);
    throw err;
  }
});
