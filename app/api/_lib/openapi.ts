/**
 * The OpenAPI 3.1 document of the JSON API, generated from the zod schemas the routes validate
 * with (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses), so it cannot drift from them.
 * Served at GET /api/openapi.json.
 */
import { z } from 'zod';
import { searchGetSchema, searchPostSchema } from '@/lib/views/search-params';
import { datasetFormSchema, duplicatesQuery, imageIdParams, reindexQuery } from './schemas'; // issue 11
import { classifyFormSchema, datasetNameParams, evaluateFormSchema, evaluateJsonSchema, imageShaParams, jobIdParams, queryShaParams, thumbShaParams, uploadIdParams, uploadQuery } from './schemas';

type Json = Record<string, unknown>;

const jsonSchema = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  void _drop;
  return rest;
};

/** One OpenAPI parameter per property of a zod object. */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): Json[] {
  const js = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return { name, in: where, required: where === 'path' || (js.required ?? []).includes(name) && !('default' in prop), description, schema: rest };
  });
}

/** A multipart body: the zod object's fields plus the named binary file fields. */
function multipart(schema: z.ZodObject | null, files: Record<string, string>, required: string[]): Json {
  const js = (schema ? jsonSchema(schema) : { type: 'object', properties: {} }) as { properties: Record<string, Json>; required?: string[] };
  const properties: Record<string, Json> = { ...js.properties };
  for (const [name, description] of Object.entries(files)) properties[name] = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream', description };
  return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties, required: [...(js.required ?? []), ...required], additionalProperties: false } } } };
}

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string, type = 'application/json') => ({ description, content: { [type]: {} } });
const errors = { '400': error('Invalid input: the message names the parameter and what is allowed'), '404': error('Not found') };
const admin = { security: [{ bearer: [] }, { cookie: [] }], 'x-admin': true };
const jobAccepted = { '202': ok('The job was started: { job }'), '401': error('The admin token is missing or wrong') };

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'clipdex JSON API',
      version: '1',
      description:
        'Image–text search over CLIP embeddings. Every error is { error: { code, message } } with a 4xx/5xx status. ' +
        'A parameter a route does not take is a 400 that lists the ones it does; a parameter given twice is a 400; an empty one counts as absent.',
    },
    paths: {
      '/api/search': {
        get: {
          summary: 'Search by text, by a stored image (like) or by an uploaded query image (qimg)',
          parameters: parameters(searchGetSchema, 'query'),
          responses: { '200': ok('One page: { query, offset, hits, hasMore, tookMs }'), ...errors },
        },
        post: {
          summary: 'Search by an uploaded image; the answer\'s query.qimg names it for GET (kept for a while only)',
          requestBody: multipart(searchPostSchema, { image: 'The query image (PNG, JPEG, WebP, GIF, …), at most 20 MiB' }, ['image']),
          responses: { '200': ok('One page: { query, offset, hits, hasMore, tookMs }'), ...errors, '413': error('The image is over 20 MiB') },
        },
      },
      '/api/images/{sha}': { get: { summary: 'An ingested original', parameters: parameters(imageShaParams, 'path'), responses: { '200': ok('The image bytes', 'image/*'), '304': { description: 'Not modified (ETag)' }, ...errors } } },
      '/api/thumbs/{sha}': { get: { summary: 'A thumbnail (WebP, ≤ 512 px; or a small JPEG/PNG/WebP original as is)', parameters: parameters(thumbShaParams, 'path'), responses: { '200': ok('The thumbnail (image/webp, image/jpeg or image/png)', 'image/*'), '304': { description: 'Not modified (ETag)' }, ...errors } } },
      '/api/queries/{sha}': { get: { summary: 'An uploaded query image, while it is kept', parameters: parameters(queryShaParams, 'path'), responses: { '200': ok('The image bytes', 'image/*'), ...errors } } },
      '/api/datasets': {
        get: { summary: 'Every dataset with its counts and status', responses: { '200': ok('{ datasets }') } },
        post: {
          summary: 'Upload a corpus and start its ingest',
          ...admin,
          requestBody: multipart(datasetFormSchema, { file: 'The corpus file', texts: 'MUGE texts JSONL (optional)' }, ['file', 'dataset']),
          responses: { ...jobAccepted, ...errors },
        },
      },
      '/api/datasets/{name}': {
        delete: { summary: 'Delete a dataset', ...admin, parameters: parameters(datasetNameParams, 'path'), responses: { '200': ok('{ deleted: { name, images, texts } }'), '401': error('The admin token is missing or wrong'), ...errors, '409': error('An ingest into it is running') } },
      },
      '/api/jobs/{id}': { get: { summary: 'A job: status, progress, result, first errors', parameters: parameters(jobIdParams, 'path'), responses: { '200': ok('{ job }'), ...errors } } },
      '/api/jobs/{id}/events': { get: { summary: 'A job\'s progress as server-sent events (progress…, end)', parameters: parameters(jobIdParams, 'path'), responses: { '200': ok('Event stream', 'text/event-stream'), ...errors } } },
      '/api/jobs/{id}/errors': { get: { summary: 'Every per-line error of a job, as TSV', parameters: parameters(jobIdParams, 'path'), responses: { '200': ok('line, file, reason', 'text/tab-separated-values'), ...errors } } },
      '/api/jobs/{id}/cancel': {
        post: {
          summary: 'Cancel a job: a queued one never starts; a running ingest stops after its current batch and keeps what it committed; a running train stops after its current step and writes no adapter (409 when it has ended, or for a running evaluate)',
          parameters: parameters(jobIdParams, 'path'),
          ...admin,
          responses: { '202': ok('The cancel is under way: { job } (status "cancelling")'), '401': error('The admin token is missing or wrong'), ...errors, '409': error('The job has ended, or is a running evaluate') },
        },
      },
      '/api/uploads': Object.fromEntries(
        ['put', 'post'].map((m) => [
          m,
          {
            summary: 'Stage a file (the raw body, streamed to disk) for the upload or evaluate page\'s action',
            ...admin,
            parameters: parameters(uploadQuery, 'query'),
            requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
            responses: { '201': ok('{ upload: { id, name, bytes } }'), '401': error('The admin token is missing or wrong'), ...errors, '413': error('Over CLIPDEX_MAX_UPLOAD_BYTES') },
          },
        ]),
      ),
      '/api/uploads/{id}': { delete: { summary: 'Drop a staged upload that will not be used', ...admin, parameters: parameters(uploadIdParams, 'path'), responses: { '200': ok('{ discarded: id }'), ...errors } } },
      '/api/reindex': { post: { summary: 'Rebuild the indexes (re-embed after a model change); with ocr=1, then read the text in the images not read yet', ...admin, parameters: parameters(reindexQuery, 'query'), responses: { ...jobAccepted, ...errors } } },
      '/api/evaluate': {
        get: { summary: 'Past evaluation runs, newest first', responses: { '200': ok('{ runs }') } },
        post: {
          summary: 'Evaluate recall@1/5/10 on a dataset (JSON) or an uploaded validation file (multipart)',
          ...admin,
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(evaluateJsonSchema) }, ...(multipart(evaluateFormSchema, { file: 'Validation file', texts: 'MUGE texts JSONL (optional)' }, ['file']).content as Json) } },
          responses: { ...jobAccepted, ...errors },
        },
      },
      '/api/classify': {
        post: {
          summary: 'Zero-shot classification of an image against labels',
          requestBody: multipart(classifyFormSchema, { image: 'The image to classify, at most 20 MiB' }, ['image']),
          responses: { '200': ok('{ model, labels: [{ label, probability, score, prompt }] }'), ...errors },
        },
      },
      // issue 11: near-duplicates
      '/api/duplicates': { get: { summary: 'Near-duplicate groups (largest first; similarity = the group\'s weakest link)', parameters: parameters(duplicatesQuery, 'query'), responses: { '200': ok('{ threshold, scanned, total, offset, groups: [{ groupId, similarity, images: [{ imageId, sha256, captions, dataset, … }] }] }'), ...errors } } },
      '/api/duplicates/images/{id}': { delete: { summary: 'Delete one image (a near-duplicate extra): rows, vectors, keyword document, files no other dataset uses', ...admin, parameters: parameters(imageIdParams, 'path'), responses: { '200': ok('{ deleted: { imageId, sha256, dataset, vectors, texts, filesRemoved } }'), '401': error('The admin token is missing or wrong'), ...errors, '409': error('An ingest into its dataset is running') } } },
      '/api/health': { get: { summary: 'Readiness: model, index sizes, counts', responses: { '200': ok('{ status: "ok", … }'), '503': ok('{ status: "unavailable", error }') } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } } },
    },
    components: {
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'CLIPDEX_ADMIN_TOKEN (only when it is set)' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'clipdex_admin', description: 'Set by the sign-in page' },
      },
    },
  };
}
