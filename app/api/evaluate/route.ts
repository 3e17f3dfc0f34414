import { AppError } from '@/lib/errors';
import { listEvaluations, parseProtocol, startEvaluateJob, type EvaluateJobParams } from '@/lib/eval';
import { removeUploads } from '@/lib/uploads';
import { stageMultipart } from '@/lib/multipart-staging';
import { claimStagedUpload, dropRefusedUploads } from '@/lib/staged-uploads';
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
 * and /api/jobs/:id/events; the recall table is the job's result). Needs the admin token, checked
 * before the body is read. A multipart body is streamed like POST /api/datasets': each file goes to
 * disk as it arrives, with CLIPDEX_MAX_UPLOAD_BYTES applied while it streams, never held in memory.
 */
export const POST = route({ admin: true }, async ({ req, engine }) => {
  const { dataDir, maxUploadBytes } = engine.config;
  const claimed: string[] = [];
  const staged: string[] = [];
  let params: EvaluateJobParams;
  try {
    if ((req.headers.get('content-type') ?? '').includes('application/json')) {
      const body: unknown = await req.json().catch(() => null);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError('INVALID_INPUT', 'send {"dataset": "name"} or a multipart form with a "file"');
      const input = parseInput(evaluateJsonSchema, body as Record<string, unknown>, 'field');
      params = { dataset: input.dataset, protocol: parseProtocol(input.protocol) };
    } else {
      const form = await stageMultipart(req.body, req.headers.get('content-type'), {
        dataDir,
        maxBytes: maxUploadBytes,
        fileFields: { file: 'validation file', texts: 'texts file' },
        expected: 'a "file" (or a "dataset" name), or send {"dataset": "name"} as JSON',
      });
      // Claim the files at once, so that any refusal below (the catch) removes what was sent.
      const fileStaged = form.files.get('file');
      const textsStaged = form.files.get('texts');
      staged.push(...[...form.files.values()].map((f) => f.id));
      const main = fileStaged ? await claimStagedUpload(dataDir, fileStaged.id, 'validation file') : undefined;
      if (main) claimed.push(main.path);
      const texts = textsStaged ? await claimStagedUpload(dataDir, textsStaged.id, 'texts file') : undefined;
      if (texts) claimed.push(texts.path);
      const dataset = form.fields.get('dataset')?.trim();
      const protocol = parseProtocol(form.fields.get('protocol') ?? undefined);
      if (dataset) {
        await removeUploads(claimed.splice(0)); // files sent along with a dataset name are not used
        params = { dataset, protocol };
      } else if (main) {
        params = { path: main.path, texts: texts?.path, label: main.name, removeFiles: true, protocol };
      } else throw new AppError('INVALID_INPUT', 'the form needs a "dataset" name or a "file"');
    }
    const started = await startEvaluateJob(engine, params);
    return json({ job: await loadJobView(engine, started.id, false) }, { status: 202 });
  } catch (err) {
    await dropRefusedUploads(dataDir, claimed, staged); // staged: any not claimed yet (a claim that failed)
    throw err;
  }
});
