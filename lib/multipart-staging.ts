/**
 * A multipart/form-data body read as a stream (busboy): text fields are kept, each expected file
 * part is streamed straight to a staged upload (lib/staged-uploads) with the size limit applied
 * while it arrives. `Request.formData()` would buffer the whole body in memory first, which is
 * what POST /api/datasets must not do for a corpus of a gigabyte or more. No next/* imports.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { AppError, isAppError } from './errors';
import { discardStagedUpload, stageUpload, type StagedUpload } from './staged-uploads';

export interface StagedForm {
  fields: Map<string, string>;
  files: Map<string, StagedUpload>;
}

export interface StageMultipartOptions {
  dataDir: string;
  maxBytes: number;
  /** Field names whose files are kept, with their label for messages; other file parts are skipped. */
  fileFields: Record<string, string>;
  /** What the caller should send, for the message when the body is not multipart. */
  expected: string;
}

/** Text fields are names and options: 64 KiB is far more than any needs. */
const MAX_FIELD_BYTES = 64 * 1024;

export async function stageMultipart(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | null,
  opts: StageMultipartOptions,
): Promise<StagedForm> {
  if (!body || !contentType?.toLowerCase().startsWith('multipart/form-data')) {
    throw new AppError('INVALID_INPUT', `send multipart/form-data with ${opts.expected}`);
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      limits: { fieldSize: MAX_FIELD_BYTES, fields: 50, files: Object.keys(opts.fileFields).length + 4 },
    });
  } catch (err) {
    throw new AppError('INVALID_INPUT', `send multipart/form-data with ${opts.expected} (${(err as Error).message})`);
  }
  const input = Readable.fromWeb(body as unknown as NodeWebReadableStream<Uint8Array>);
  const fields = new Map<string, string>();
  const files = new Map<string, StagedUpload>();
  const pending: Promise<void>[] = [];
  const seen = new Set<string>();

  return await new Promise<StagedForm>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      input.unpipe(bb);
      input.destroy();
      bb.removeAllListeners('file');
      // Files already staged belong to a refused request: remove them once every part has settled.
      void Promise.allSettled(pending).then(() => Promise.all([...files.values()].map((f) => discardStagedUpload(opts.dataDir, f.id))));
      reject(isAppError(err) ? err : new AppError('INVALID_INPUT', `the multipart body could not be read: ${(err as Error).message}`));
    };
    bb.on('file', (name, stream, info) => {
      const label = opts.fileFields[name];
      // Parts not asked for, a repeated field and an input left empty (no file name, no bytes) are skipped.
      if (!label || seen.has(name)) {
        stream.resume();
        return;
      }
      seen.add(name);
      const p = stageUpload(stream, { dataDir: opts.dataDir, maxBytes: opts.maxBytes, fileName: info.filename, label })
        .then((s) => {
          files.set(name, s);
        })
        .catch((err: unknown) => {
          if (!info.filename && isAppError(err) && err.code === 'INVALID_INPUT') return; // an empty, unnamed input
          stream.resume();
          fail(err);
        });
      pending.push(p);
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new AppError('INVALID_INPUT', `the field "${name.slice(0, 40)}" is longer than ${MAX_FIELD_BYTES / 1024} KiB`));
      else if (!fields.has(name)) fields.set(name, value);
    });
    bb.on('error', fail);
    input.on('error', fail);
    bb.on('close', () => {
      void Promise.all(pending).then(() => {
        if (!failed) resolve({ fields, files });
      }, fail);
    });
    input.pipe(bb);
  });
}
