/**
 * zod schemas of the JSON API's path parameters and form fields, besides search's
 * (lib/views/search-params.ts). The routes validate with them through `route()` and
 * /api/openapi.json is generated from them, so the document cannot drift from the code.
 */
import { z } from 'zod';
import { MAX_DATASET_NAME_CHARS } from '@/lib/datasets';
import { EVAL_PROTOCOLS } from '@/lib/eval/protocols';
import { ocrFlag } from '@/lib/views/ocr-flag';

const sha = (what: string) =>
  z.string().regex(/^[0-9a-f]{64}$/, { error: `${what} id is a sha256: 64 lowercase hex digits` }).describe(`The ${what}'s sha256 (64 lowercase hex digits).`);

export const imageShaParams = z.strictObject({ sha: sha('an image') });
export const thumbShaParams = z.strictObject({ sha: sha('a thumbnail') });
export const queryShaParams = z.strictObject({ sha: sha('a query image') });

export const jobIdParams = z.strictObject({
  id: z.string().regex(/^[0-9a-f-]{8,64}$/i, { error: 'a job id is the id POST /api/datasets, /api/reindex or /api/evaluate answered (hex digits and dashes)' }).describe('The job id.'),
});

/**
 * A dataset name as one path segment, URL-encoded once (`100%25%20cotton` is "100% cotton").
 * The name rule itself (lib/datasets) is applied by the handler, which can still reach a dataset
 * created under an older, looser rule.
 */
export const datasetNameParams = z.strictObject({
  name: z.string().max(MAX_DATASET_NAME_CHARS * 4, { error: `a dataset name has at most ${MAX_DATASET_NAME_CHARS} characters` }).describe('The dataset name, URL-encoded once.'),
});

/** POST /api/classify: these text fields beside the `image` file. */
export const classifyFormSchema = z.strictObject({
  labels: z.string({ error: 'labels is required: the candidate labels, comma-separated ("cat,dog,pizza")' }).min(1).describe('Candidate labels, comma-separated.'),
  template: z.string().optional().describe('Prompt template with {} for the label (default: the model\'s own).'),
});

// issue 12: how recall is counted (lib/eval/protocols.ts); a dataset takes clipdex only
const protocolField = z
  .enum(EVAL_PROTOCOLS)
  .optional()
  .describe('How recall is counted: clipdex (default), easynlp or chinese-clip (those two for an uploaded file only).');

/** POST /api/evaluate as JSON. */
export const evaluateJsonSchema = z.strictObject({
  dataset: z.string({ error: 'dataset is required: the name of an ingested dataset' }).min(1).describe('Evaluate retrieval on this ingested dataset.'),
  protocol: protocolField,
});

/** POST /api/evaluate as multipart: these text fields beside the `file` (and `texts`) files. */
export const evaluateFormSchema = z.strictObject({
  protocol: protocolField,
});

/** PUT/POST /api/uploads: the raw file is the body; these describe it. */
export const uploadQuery = z.strictObject({
  name: z.string().max(1000).optional().describe('The file\'s name, for messages and the stored name (sanitised).'),
  label: z.enum(['file', 'corpus file', 'texts file', 'validation file', 'training file']).optional().describe('What the file is, for messages.'),
});

/** DELETE /api/uploads/:id. */
export const uploadIdParams = z.strictObject({
  id: z.string().max(200).describe('A staged upload id, as PUT /api/uploads answered it.'),
});

// issue 11: near-duplicates (lib/duplicates)
/** GET /api/duplicates. */
export const duplicatesQuery = z.strictObject({
  dataset: z.string().max(MAX_DATASET_NAME_CHARS * 4).optional().describe('Only groups of images in this dataset.'),
  limit: z.coerce.number({ error: 'limit must be an integer from 1 to 500' }).int({ error: 'limit must be an integer from 1 to 500' }).min(1, { error: 'limit must be an integer from 1 to 500' }).max(500, { error: 'limit must be an integer from 1 to 500' }).default(50).describe('Groups per page (largest first), 1..500, default 50.'),
  offset: z.coerce.number({ error: 'offset must be an integer ≥ 0' }).int({ error: 'offset must be an integer ≥ 0' }).min(0, { error: 'offset must be an integer ≥ 0' }).max(1_000_000_000, { error: 'offset must be an integer ≥ 0' }).default(0).describe('Groups to skip.'),
});

/** DELETE /api/duplicates/images/:id. */
export const imageIdParams = z.strictObject({
  id: z.coerce.number({ error: 'an image id is a positive integer (imageId in GET /api/duplicates)' }).int({ error: 'an image id is a positive integer (imageId in GET /api/duplicates)' }).min(1, { error: 'an image id is a positive integer (imageId in GET /api/duplicates)' }).max(2_147_483_647, { error: 'an image id is a positive integer (imageId in GET /api/duplicates)' }).describe('The image id (imageId).'),
});

// issue 11: the OCR controls (lib/views/ocr-flag: true/false/1/0)
/** POST /api/datasets: these text fields beside the `file` (and `texts`) files. */
export const datasetFormSchema = z.strictObject({
  // dataset and format are checked by startUploadIngest (the upload page's rules and messages)
  dataset: z.string().optional().describe('The dataset to create or add to (1–100 characters, no / or \\).'),
  format: z.string().optional().describe('The corpus format: pairs, texts, images or muge (default: detected).'),
  ocr: ocrFlag('Read the text in the images added (OCR): true/false/1/0; default: the server\'s CLIPDEX_OCR setting.'),
});

/** POST /api/reindex: query parameters, as `clipdex reindex --ocr [--retry-failed-ocr]`. */
export const reindexQuery = z
  .strictObject({
    ocr: ocrFlag('After the re-index, read the text in every image not read yet (OCR backfill): true/false/1/0, default false.'),
    retryFailedOcr: ocrFlag('With ocr: also read again the images whose OCR failed: true/false/1/0, default false.'),
  })
  .refine((q) => !q.retryFailedOcr || q.ocr, { error: 'retryFailedOcr goes with ocr=1 (POST /api/reindex?ocr=1&retryFailedOcr=1)' });
