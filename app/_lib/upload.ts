/**
 * Uploading a corpus, shared by the upload page's server action and POST /api/datasets: check the
 * fields, stream the file(s) to DATA_DIR/uploads with the size limit, make sure the format is one
 * clipdex reads, then start an ingest job. On any refusal nothing stays on disk (the message says
 * so); the upload itself is deleted when the ingest has finished.
 */
import { getConfig } from '@/lib/config';
import { detectFormat, type CorpusFormat } from '@/lib/corpus';
import { getEngine } from '@/lib/engine';
import { AppError, isAppError } from '@/lib/errors';
import { startIngestJob } from '@/lib/jobs';
import { removeUploads, saveUpload, type SavedUpload } from '@/lib/uploads';
import { loadJobView } from '@/app/_lib/jobs';
import type { JobView } from '@/components/jobs/types';

const UPLOAD_FORMATS: CorpusFormat[] = ['pairs', 'texts', 'images', 'muge'];

function datasetName(raw: FormDataEntryValue | null): string {
  const name = typeof raw === 'string' ? raw.trim().normalize('NFC') : '';
  if (!name) throw new AppError('INVALID_INPUT', 'give the dataset a name');
  if (name.length > 100) throw new AppError('INVALID_INPUT', `the dataset name is ${name.length} characters long; at most 100 are allowed`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(name)) throw new AppError('INVALID_INPUT', 'the dataset name cannot contain slashes or control characters');
  return name;
}

function fileOf(raw: FormDataEntryValue | null): File | undefined {
  // An input left empty arrives as an empty Blob without a name.
  if (typeof raw === 'string' || raw === null) return undefined;
  const name = (raw as { name?: unknown }).name;
  // (Next's multipart decoding names such a blob "undefined".)
  return raw.size > 0 || (typeof name === 'string' && name !== '' && name !== 'undefined') ? raw : undefined;
}

/** Core messages name the stored path and CLI flags; on the page, name the user's file and fields. */
function forThePage(err: unknown, saved: { path: string; name: string }[]): unknown {
  if (!isAppError(err)) return err;
  let msg = err.message;
  for (const s of saved) msg = msg.split(s.path).join(`“${s.name}”`);
  msg = msg.replace(/pass --format/g, 'choose the format').replace(/with --texts/g, 'in the texts JSONL field').replace(/--format (\w+)/g, 'format “$1”');
  return new AppError(err.code, msg, { cause: err });
}

export async function startUploadIngest(form: FormData): Promise<JobView> {
  const stored: SavedUpload[] = [];
  try {
    const config = getConfig();
    const name = datasetName(form.get('dataset'));
    const file = fileOf(form.get('file'));
    if (!file) throw new AppError('INVALID_INPUT', 'choose a corpus file to upload');
    const textsFile = fileOf(form.get('texts'));
    const rawFormat = form.get('format');
    const format = typeof rawFormat === 'string' && rawFormat !== '' ? rawFormat : undefined;
    if (format !== undefined && !UPLOAD_FORMATS.includes(format as CorpusFormat)) {
      throw new AppError('UNSUPPORTED_FORMAT', `format “${format.slice(0, 40)}” is not one of: ${UPLOAD_FORMATS.join(', ')}`);
    }
    if (format === 'muge' && !textsFile) throw new AppError('INVALID_INPUT', 'the Chinese-CLIP/MUGE layout needs its texts JSONL file too');
    if (textsFile && format && format !== 'muge') throw new AppError('INVALID_INPUT', `a texts JSONL file goes with the MUGE format only, not “${format}”`);

    stored.push(await saveUpload(file, { dataDir: config.dataDir, maxBytes: config.maxUploadBytes, fileName: file.name, label: 'file' }));
    if (textsFile) {
      stored.push(
        await saveUpload(textsFile, { dataDir: config.dataDir, maxBytes: config.maxUploadBytes, fileName: textsFile.name, label: 'texts file' }),
      );
    }
    const [corpus, texts] = stored;
    const names = [{ path: corpus.path, name: file.name }, ...(texts && textsFile ? [{ path: texts.path, name: textsFile.name }] : [])];
    let detected: CorpusFormat;
    try {
      detected = (format as CorpusFormat | undefined) ?? (await detectFormat(corpus.path, { texts: texts?.path, maxLineBytes: config.maxLineBytes }));
    } catch (err) {
      throw forThePage(err, names);
    }
    if (detected === 'folder') throw new AppError('UNSUPPORTED_FORMAT', 'upload a file, not a folder');

    const engine = await getEngine();
    const started = await startIngestJob(engine, { path: corpus.path, dataset: name, format: detected, texts: texts?.path });
    const paths = stored.map((s) => s.path);
    stored.length = 0; // the job owns the files now
    void started.done.finally(() => removeUploads(paths));
    return await loadJobView(engine, started.id, false);
  } catch (err) {
    await removeUploads(stored.map((s) => s.path));
    const refused = isAppError(err) && ['INVALID_INPUT', 'UNSUPPORTED_FORMAT', 'PAYLOAD_TOO_LARGE'].includes(err.code);
    throw refused ? new AppError(err.code, `${err.message.replace(/\.$/, '')}. Nothing was stored.`, { cause: err }) : err;
  }
}
