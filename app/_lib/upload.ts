/**
 * Starting the ingest of an uploaded corpus, shared by the upload page's server action and
 * POST /api/datasets. The bytes are already on disk as staged uploads (lib/staged-uploads: the
 * page PUTs each file to /api/uploads, the API streams its multipart body there), so this only
 * claims them by id, checks the fields and the format, and starts the job. On any refusal the
 * files it was sent are deleted, claimed or still staged (the message says "Nothing was stored");
 * otherwise they are deleted when the ingest has finished.
 */
import { detectFormat, type CorpusFormat } from '@/lib/corpus';
import { checkDatasetName } from '@/lib/datasets';
import type { Engine } from '@/lib/engine';
import { AppError, isAppError } from '@/lib/errors';
import { startIngestJob } from '@/lib/ingest';
import { claimStagedUpload, dropRefusedUploads, type ClaimedUpload } from '@/lib/staged-uploads';
import { removeUploads } from '@/lib/uploads';
import { loadJobView } from '@/app/_lib/jobs';
import type { JobView } from '@/lib/views/jobs';
import { parseOcrFlag } from '@/lib/views/ocr-flag';

const UPLOAD_FORMATS: CorpusFormat[] = ['pairs', 'texts', 'images', 'muge'];

export interface UploadIngestRequest {
  /** The dataset name as sent (checked here by the one dataset-name rule, lib/datasets). */
  dataset: unknown;
  /** '' or absent: detect. */
  format: unknown;
  /** Staged upload id of the corpus file. */
  file: unknown;
  /** Staged upload id of the MUGE texts JSONL, if any. */
  texts?: unknown;
  /** issue 11: read the text in the images added (true/false/1/0; absent: the server's CLIPDEX_OCR). */
  ocr?: unknown;
}

/** Core messages name the stored path and CLI flags; on the page, name the user's file and fields. */
function forThePage(err: unknown, claimed: ClaimedUpload[]): unknown {
  if (!isAppError(err)) return err;
  let msg = err.message;
  for (const c of claimed) msg = msg.split(c.path).join(`“${c.name}”`);
  msg = msg.replace(/pass --format/g, 'choose the format').replace(/with --texts/g, 'in the texts JSONL field').replace(/--format (\w+)/g, 'format “$1”');
  return new AppError(err.code, msg, { cause: err });
}

function formatOf(raw: unknown): CorpusFormat | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !UPLOAD_FORMATS.includes(raw as CorpusFormat)) {
    throw new AppError('UNSUPPORTED_FORMAT', `format “${String(raw).slice(0, 40)}” is not one of: ${UPLOAD_FORMATS.join(', ')}`);
  }
  return raw as CorpusFormat;
}

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

export async function startUploadIngest(engine: Engine, req: UploadIngestRequest): Promise<JobView> {
  const { dataDir, maxLineBytes } = engine.config;
  const claimed: ClaimedUpload[] = [];
  try {
    // Claim first, so that a refusal below also removes what was uploaded.
    if (!given(req.file)) throw new AppError('INVALID_INPUT', 'choose a corpus file to upload');
    const corpus = await claimStagedUpload(dataDir, req.file, 'corpus file');
    claimed.push(corpus);
    const texts = given(req.texts) ? await claimStagedUpload(dataDir, req.texts, 'texts file') : undefined;
    if (texts) claimed.push(texts);

    const name = checkDatasetName(typeof req.dataset === 'string' ? req.dataset : undefined);
    const format = formatOf(req.format);
    const ocr = parseOcrFlag('ocr', req.ocr);
    if (format === 'muge' && !texts) throw new AppError('INVALID_INPUT', 'the Chinese-CLIP/MUGE layout needs its texts JSONL file too');
    if (texts && format && format !== 'muge') throw new AppError('INVALID_INPUT', `a texts JSONL file goes with the MUGE format only, not “${format}”`);

    let detected: CorpusFormat;
    try {
      detected = format ?? (await detectFormat(corpus.path, { texts: texts?.path, maxLineBytes }));
    } catch (err) {
      throw forThePage(err, claimed);
    }
    if (detected === 'folder') throw new AppError('UNSUPPORTED_FORMAT', 'upload a file, not a folder');

    const started = await startIngestJob(engine, { path: corpus.path, dataset: name, format: detected, texts: texts?.path, ocr });
    const paths = claimed.map((c) => c.path);
    claimed.length = 0; // the job owns the files now
    void started.done.finally(() => removeUploads(paths));
    return await loadJobView(engine, started.id, false);
  } catch (err) {
    // Ids not claimed yet (a texts file sent without a corpus file, a claim that failed) are
    // still staged: discard them too, so that "Nothing was stored" holds (review finding 10).
    await dropRefusedUploads(dataDir, claimed.map((c) => c.path), [req.file, req.texts]);
    const refused = isAppError(err) && ['INVALID_INPUT', 'UNSUPPORTED_FORMAT', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND'].includes(err.code);
    throw refused ? new AppError(err.code, `${err.message.replace(/\.$/, '').replace(/\. Nothing was stored$/, '')}. Nothing was stored.`, { cause: err }) : err;
  }
}
